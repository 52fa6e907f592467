package cloud

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/naming"
)

func resource(t *testing.T, repo string) authn.Resource {
	t.Helper()
	r, err := name.NewRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestKeychainECR: an ECR host gets the login in GetAuthorizationToken's
// token, asked once per run however often the registry is resolved; other
// hosts are left to the keychains before this one.
func TestKeychainECR(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken" ||
			!strings.Contains(r.Header.Get("Authorization"), "Credential=AKID/") {
			http.Error(w, `{"__type":"AccessDeniedException"}`, http.StatusBadRequest)
			return
		}
		token := base64.StdEncoding.EncodeToString([]byte("AWS:secret-token"))
		_, _ = w.Write([]byte(`{"authorizationData":[{"authorizationToken":"` + token + `"}]}`))
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "s", ""), BaseEndpoint: aws.String(srv.URL)}
	k := New(Options{KindOf: func(h string) naming.Implementation { return naming.Detect(h, "") }, AWS: FromConfig(cfg)})
	ecrRepo := "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app"
	for range 3 {
		auth, err := k.Resolve(resource(t, ecrRepo))
		if err != nil {
			t.Fatal(err)
		}
		got, err := auth.Authorization()
		if err != nil || got.Username != "AWS" || got.Password != "secret-token" {
			t.Fatalf("ECR login %+v, %v", got, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("GetAuthorizationToken asked %d times, want once", n)
	}
	if auth, err := k.Resolve(resource(t, "registry.example.com/app")); err != nil || auth != authn.Anonymous {
		t.Errorf("another registry: %v, %v; want anonymous", auth, err)
	}
}

// TestDecodeECRToken refuses a token that is not base64 of USER:PASSWORD.
func TestDecodeECRToken(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("nocolon")), base64.StdEncoding.EncodeToString([]byte(":pw"))} {
		if _, err := decodeECRToken("h", bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

type staticToken struct{ token string }

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if s.token == "" {
		return azcore.AccessToken{}, errors.New("no identity")
	}
	return azcore.AccessToken{Token: s.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// TestACRExchange: the Entra ID token goes to ACR's /oauth2/exchange for
// the registry, and the refresh token it gives is the password of ACR's
// null user; without an identity the login is anonymous.
func TestACRExchange(t *testing.T) {
	t.Parallel()
	var form []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		form = append(form, r.URL.Path, r.PostForm.Get("grant_type"), r.PostForm.Get("service"), r.PostForm.Get("access_token"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"refresh_token":"acr-refresh"}`))
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	auth, err := exchangeACR(ctx, srv.URL, "team.azurecr.io", staticToken{"entra-token"}, srv.Client(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := auth.Authorization()
	if got.Username != acrUser || got.Password != "acr-refresh" {
		t.Errorf("ACR login %+v", got)
	}
	if diff := cmp.Diff([]string{"/oauth2/exchange", "access_token", "team.azurecr.io", "entra-token"}, form); diff != "" {
		t.Errorf("exchange request (-want +got):\n%s", diff)
	}
	if auth, err := exchangeACR(ctx, srv.URL, "team.azurecr.io", staticToken{}, srv.Client(), time.Minute); err != nil || auth != authn.Anonymous {
		t.Errorf("without an identity: %v, %v; want anonymous", auth, err)
	}
}
