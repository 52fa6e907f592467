package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/shiptag/shiptag/internal/registrytest"
	"github.com/shiptag/shiptag/internal/requests"
	"github.com/shiptag/shiptag/internal/sample"
)

type awsKey struct{} // **registrytest.AWS: the script's stand-in, once started

// awsStandin starts the STS and ECR stand-in in front of the real registry's
// login and points the AWS SDK at it, as a CI job after
// aws-actions/configure-aws-credentials is: a web-identity token file and a
// role, a region, and nothing else (no keys, no instance metadata, no
// profile). "aws-standin [THROTTLE]" throttles the first THROTTLE ECR calls.
func awsStandin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: aws-standin [THROTTLE]")
	}
	throttle := 0
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		throttle = n
	}
	reg := ts.Value(serverKey{}).(*registrytest.Server)
	a := registrytest.StartAWS(reg.User, reg.Password, throttle)
	ts.Defer(a.Close)
	*ts.Value(awsKey{}).(**registrytest.AWS) = a
	token := ts.MkAbs("web-identity-token")
	ts.Check(os.WriteFile(token, []byte("eyJ0ZXN0IjoidG9rZW4ifQ"), 0o600))
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_STS": a.URL, "AWS_ENDPOINT_URL_ECR": a.URL, "AWS_REGION": "eu-west-1",
		"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci", "AWS_WEB_IDENTITY_TOKEN_FILE": token,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": ts.MkAbs("no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": ts.MkAbs("no-aws-credentials"),
	} {
		ts.Setenv(k, v)
	}
}

// awsLog prints the calls the stand-in served, one per line.
func awsLog(ts *testscript.TestScript, neg bool, args []string) {
	a := *ts.Value(awsKey{}).(**registrytest.AWS)
	if a == nil || neg {
		ts.Fatalf("usage: aws-log, after aws-standin")
	}
	for _, line := range a.Log() {
		fmt.Fprintln(ts.Stdout(), line)
	}
}

type googleKey struct{} // *[]string: the token endpoint's calls

// googleStandin writes a service-account key whose token_uri is a loopback
// token endpoint and points Google's application default credentials at it,
// as google-github-actions/auth does with a key. The endpoint answers a
// signed JWT with the real registry's "_token" password as the access token.
func googleStandin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: google-standin")
	}
	reg := ts.Value(serverKey{}).(*registrytest.Server)
	calls := ts.Value(googleKey{}).(*[]string)
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		*calls = append(*calls, r.Method+" "+r.URL.Path+" "+r.PostForm.Get("grant_type"))
		mu.Unlock()
		if r.PostForm.Get("assertion") == "" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, reg.Cloud[registrytest.GoogleUser])
	}))
	ts.Defer(srv.Close)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	ts.Check(err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	ts.Check(err)
	account, err := json.Marshal(map[string]string{"type": "service_account", "project_id": "shiptag-test",
		"private_key_id": "test", "private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "ci@shiptag-test.iam.gserviceaccount.com", "client_id": "1", "token_uri": srv.URL + "/token"})
	ts.Check(err)
	path := ts.MkAbs("google-key.json")
	ts.Check(os.WriteFile(path, account, 0o600))
	ts.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
}

// googleLog prints the token endpoint's calls.
func googleLog(ts *testscript.TestScript, neg bool, args []string) {
	for _, c := range *ts.Value(googleKey{}).(*[]string) {
		fmt.Fprintln(ts.Stdout(), c)
	}
}

// signImage gives an image what cosign and attestation tools leave beside it:
// a referrer (an artifact manifest whose subject is the image, listed by the
// referrers API or, where the registry has none, the referrers tag schema)
// and a cosign-style sha256-<hex>.sig tag. "sign-image REF".
func signImage(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sign-image REF")
	}
	ref, err := name.ParseReference(args[0])
	ts.Check(err)
	opts := remoteOpts(ts)
	desc, err := remote.Head(ref, opts...)
	ts.Check(err)
	l, err := sample.Layer(77, 100)
	ts.Check(err)
	sig, err := mutate.AppendLayers(empty.Image, l)
	ts.Check(err)
	sig = mutate.MediaType(sig, types.OCIManifestSchema1)
	sig = mutate.ConfigMediaType(sig, "application/vnd.dev.shiptag.test.signature")
	artifact := mutate.Subject(sig, v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}).(v1.Image)
	d, err := artifact.Digest()
	ts.Check(err)
	ts.Check(remote.Write(ref.Context().Digest(d.String()), artifact, opts...))
	ts.Check(remote.Write(ref.Context().Tag(strings.Replace(desc.Digest.String(), ":", "-", 1)+".sig"), sig, opts...))
	fmt.Fprintln(ts.Stdout(), d)
}

// checkManifest checks that a manifest is in the registry, or with ! that
// the registry answers 404 for it: "[!] check-manifest REF".
func checkManifest(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] check-manifest REF")
	}
	ref, err := name.ParseReference(args[0])
	ts.Check(err)
	_, err = remote.Head(ref, remoteOpts(ts)...)
	switch {
	case !neg && err != nil:
		ts.Fatalf("%s: %v", ref, err)
	case neg && !requests.IsStatus(err, http.StatusNotFound):
		ts.Fatalf("%s: %v, want 404 Not Found", ref, err)
	}
}

// checkReferrers counts what refers to an image, and its cosign .sig tag:
// "check-referrers REF N".
func checkReferrers(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: check-referrers REF N")
	}
	ref, err := name.ParseReference(args[0])
	ts.Check(err)
	opts := remoteOpts(ts)
	desc, err := remote.Head(ref, opts...)
	ts.Check(err)
	idx, err := remote.Referrers(ref.Context().Digest(desc.Digest.String()), opts...)
	ts.Check(err)
	im, err := idx.IndexManifest()
	ts.Check(err)
	if fmt.Sprint(len(im.Manifests)) != args[1] {
		ts.Fatalf("%s has %d referrers, want %s", ref, len(im.Manifests), args[1])
	}
	sigTag := ref.Context().Tag(strings.Replace(desc.Digest.String(), ":", "-", 1) + ".sig")
	if _, err := remote.Head(sigTag, opts...); (err == nil) != (args[1] != "0") {
		ts.Fatalf("%s: %v, want it there exactly when referrers are", sigTag, err)
	}
}
