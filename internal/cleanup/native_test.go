package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/cloud"
	"github.com/shiptag/shiptag/internal/requests"
)

// apiLog is a loopback stand-in for a vendor API: it records each request
// as "METHOD PATH?QUERY" and answers with handle.
type apiLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *apiLog) server(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.calls = append(l.calls, strings.TrimSuffix(r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery, "?"))
		l.mu.Unlock()
		handle(w, r, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDockerHub(t *testing.T) {
	t.Parallel()
	var log apiLog
	srv := log.server(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch {
		case r.URL.Path == "/v2/users/login":
			var creds map[string]string
			_ = json.Unmarshal(body, &creds)
			if creds["username"] != "ci" || creds["password"] != "pat" {
				http.Error(w, `{"detail":"Incorrect authentication credentials"}`, http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(`{"token":"jwt"}`))
		case r.Header.Get("Authorization") != "Bearer jwt":
			http.Error(w, `{"detail":"authentication required"}`, http.StatusUnauthorized)
		case strings.HasSuffix(r.URL.Path, "/tags/gone/"):
			http.Error(w, `{"detail":"Not found"}`, http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, "/tags/locked/"):
			http.Error(w, `{"detail":"You do not have permission"}`, http.StatusForbidden)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	ctx := context.Background()
	hub := &DockerHub{Username: "ci", Password: "pat", API: srv.URL}
	for _, tag := range []string{"feature-b", "gone"} {
		if err := hub.DeleteTag(ctx, "docker.io/acme/app", tag); err != nil {
			t.Errorf("DeleteTag %s: %v", tag, err)
		}
	}
	if err := hub.DeleteTag(ctx, "nginx", "x"); err != nil {
		t.Errorf("DeleteTag of an official image: %v", err)
	}
	err := hub.DeleteTag(ctx, "acme/app", "locked")
	if !isAPIStatus(err, http.StatusForbidden) || !strings.Contains(err.Error(), "You do not have permission") {
		t.Errorf("a refused delete: %v", err)
	}
	want := []string{"POST /v2/users/login", "DELETE /v2/repositories/acme/app/tags/feature-b/",
		"DELETE /v2/repositories/acme/app/tags/gone/", "DELETE /v2/repositories/library/nginx/tags/x/",
		"DELETE /v2/repositories/acme/app/tags/locked/"}
	if diff := cmp.Diff(want, log.calls); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}

	bad := &DockerHub{Username: "ci", Password: "wrong", API: srv.URL}
	if err := bad.DeleteTag(ctx, "acme/app", "x"); err == nil || !strings.Contains(err.Error(), `logging in to Docker Hub as "ci"`) {
		t.Errorf("wrong password: %v", err)
	}
}

func TestGitHubPackages(t *testing.T) {
	t.Parallel()
	var log apiLog
	srv := log.server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Header.Get("Authorization") != "Bearer ghp" || r.Header.Get("X-GitHub-Api-Version") == "" {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		// The package name is one path segment: its slash is escaped.
		switch {
		case strings.HasPrefix(r.URL.Path, "/orgs/") || !strings.Contains(r.URL.EscapedPath(), "/container/team%2Fapp"):
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		case r.URL.Path == "/users/octo/packages/container/team/app":
			_, _ = w.Write([]byte(`{"id":1,"name":"team/app"}`))
		case strings.HasSuffix(r.URL.Path, "/versions") && r.Method == http.MethodGet:
			// Page 1 is full (100 versions), page 2 holds the one sought.
			var page []githubVersion
			if r.URL.Query().Get("page") == "1" {
				for i := range 100 {
					page = append(page, githubVersion{ID: int64(i), Name: fmt.Sprintf("sha256:%064d", i)})
				}
			} else {
				page = []githubVersion{{ID: 4242, Name: "sha256:feed"}}
			}
			_ = json.NewEncoder(w).Encode(page)
		case r.Method == http.MethodDelete && (strings.HasSuffix(r.URL.Path, "/versions/4242") || strings.HasSuffix(r.URL.Path, "/versions/5")):
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, `{"message":"unexpected"}`, http.StatusTeapot)
		}
	})
	ctx := context.Background()
	gh := &GitHubPackages{Token: "ghp", API: srv.URL}
	if err := gh.DeleteTag(ctx, "ghcr.io/octo/team/app", "x"); err != ErrTagDeleteUnsupported {
		t.Errorf("DeleteTag = %v, want ErrTagDeleteUnsupported", err)
	}
	if err := gh.DeleteDigest(ctx, "ghcr.io/octo/team/app", "sha256:feed"); err != nil {
		t.Fatalf("DeleteDigest: %v", err)
	}
	// The versions are listed once per package.
	if err := gh.DeleteDigest(ctx, "ghcr.io/octo/team/app", fmt.Sprintf("sha256:%064d", 5)); err != nil {
		t.Fatalf("DeleteDigest of a version on page 1: %v", err)
	}
	want := []string{"GET /orgs/octo/packages/container/team%2Fapp", "GET /users/octo/packages/container/team%2Fapp",
		"GET /users/octo/packages/container/team%2Fapp/versions?per_page=100&page=1",
		"GET /users/octo/packages/container/team%2Fapp/versions?per_page=100&page=2",
		"DELETE /users/octo/packages/container/team%2Fapp/versions/4242",
		"DELETE /users/octo/packages/container/team%2Fapp/versions/5"}
	if diff := cmp.Diff(want, log.calls); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	bad := &GitHubPackages{Token: "wrong", API: srv.URL}
	if err := bad.DeleteDigest(ctx, "ghcr.io/octo/team/app", "sha256:feed"); !isAPIStatus(err, http.StatusUnauthorized) {
		t.Errorf("bad token: %v", err)
	}
}

func TestECR(t *testing.T) {
	t.Parallel()
	var log apiLog
	var bodies []map[string]any
	srv := log.server(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/eu-west-1/ecr/aws4_request") ||
			r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerRegistry_V20150921.BatchDeleteImage" {
			w.Header().Set("X-Amzn-ErrorType", "UnrecognizedClientException")
			http.Error(w, `{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`, http.StatusBadRequest)
			return
		}
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		bodies = append(bodies, in)
		switch {
		case strings.Contains(string(body), `"imageTag":"gone"`):
			_, _ = w.Write([]byte(`{"imageIds":[],"failures":[{"imageId":{"imageTag":"gone"},"failureCode":"ImageNotFound","failureReason":"Requested image not found"}]}`))
		case strings.Contains(string(body), `"imageTag":"odd"`):
			_, _ = w.Write([]byte(`{"imageIds":[],"failures":[{"imageId":{"imageTag":"odd"},"failureCode":"ImageTagDoesNotMatchDigest","failureReason":"mismatch"}]}`))
		default:
			_, _ = w.Write([]byte(`{"imageIds":[{"imageTag":"x"}],"failures":[]}`))
		}
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "s", "tok"),
		BaseEndpoint: aws.String(srv.URL), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	ctx := context.Background()
	e, err := NewECR(ctx, "123456789012.dkr.ecr.eu-west-1.amazonaws.com", cloud.FromConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	repo := "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app"
	if err := e.DeleteTag(ctx, repo, "feature-b"); err != nil {
		t.Errorf("DeleteTag: %v", err)
	}
	if err := e.DeleteTag(ctx, repo, "gone"); err != nil {
		t.Errorf("DeleteTag of a tag already gone: %v", err)
	}
	if err := e.DeleteDigest(ctx, repo, "sha256:feed"); err != nil {
		t.Errorf("DeleteDigest: %v", err)
	}
	if err := e.DeleteTag(ctx, repo, "odd"); err == nil || !strings.Contains(err.Error(), "ImageTagDoesNotMatchDigest") {
		t.Errorf("a failure in the answer: %v", err)
	}
	id := func(k, v string) map[string]any {
		return map[string]any{"imageIds": []any{map[string]any{k: v}}, "registryId": "123456789012", "repositoryName": "team/app"}
	}
	want := []map[string]any{id("imageTag", "feature-b"), id("imageTag", "gone"), id("imageDigest", "sha256:feed"), id("imageTag", "odd")}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("request bodies (-want +got):\n%s", diff)
	}
	bad := cfg.Copy()
	bad.Credentials = credentials.NewStaticCredentialsProvider("OTHER", "s", "")
	e, _ = NewECR(ctx, "123456789012.dkr.ecr.eu-west-1.amazonaws.com", cloud.FromConfig(bad))
	if err := e.DeleteTag(ctx, repo, "x"); err == nil || !strings.Contains(err.Error(), "UnrecognizedClientException") {
		t.Errorf("refused credentials: %v", err)
	}
	none := cfg.Copy()
	none.Credentials = nil
	if _, err := NewECR(ctx, "123456789012.dkr.ecr.eu-west-1.amazonaws.com", cloud.FromConfig(none)); err == nil ||
		!strings.Contains(err.Error(), "no AWS credentials") {
		t.Errorf("no credentials: %v", err)
	}
}

// TestECRPublic deletes through ECR Public's API: the alias in
// public.ecr.aws/ALIAS/REPO names the caller's registry, so only the
// repository goes in the request.
func TestECRPublic(t *testing.T) {
	t.Parallel()
	var log apiLog
	var targets, bodies []string
	srv := log.server(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		targets, bodies = append(targets, r.Header.Get("X-Amz-Target")), append(bodies, string(body))
		_, _ = w.Write([]byte(`{"imageIds":[],"failures":[]}`))
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "s", ""), BaseEndpoint: aws.String(srv.URL)}
	ctx := context.Background()
	e, err := NewECR(ctx, "public.ecr.aws", cloud.FromConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteTag(ctx, "public.ecr.aws/octo/app", "old"); err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0] != "SpencerFrontendService.BatchDeleteImage" || !strings.Contains(bodies[0], `"repositoryName":"app"`) ||
		strings.Contains(bodies[0], "registryId") {
		t.Errorf("ECR Public request %q %q", targets, bodies)
	}
	if err := e.DeleteTag(ctx, "public.ecr.aws/app", "old"); err == nil {
		t.Error("a public repository without an alias was accepted")
	}
}

// manifestDeletes records ACR's digest deletes, which go to the OCI API.
type manifestDeletes struct{ digests []string }

func (m *manifestDeletes) DeleteTag(context.Context, string, string) error { return nil }
func (m *manifestDeletes) DeleteDigest(_ context.Context, _, digest string) error {
	m.digests = append(m.digests, digest)
	return nil
}

func TestACR(t *testing.T) {
	t.Parallel()
	var log apiLog
	srv := log.server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		user, pass, ok := r.BasicAuth()
		switch {
		case !ok || user != "sp" || pass != "secret":
			w.Header().Set("WWW-Authenticate", `Basic realm="acr"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
		case strings.HasSuffix(r.URL.Path, "/_tags/gone"):
			http.Error(w, `{"errors":[{"code":"TAG_UNKNOWN"}]}`, http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	})
	ctx := context.Background()
	manifests := &manifestDeletes{}
	a := ACR{Username: "sp", Password: "secret", API: srv.URL, Manifest: manifests}
	for _, tag := range []string{"feature-b", "gone"} {
		if err := a.DeleteTag(ctx, "acme.azurecr.io/team/app", tag); err != nil {
			t.Errorf("DeleteTag %s: %v", tag, err)
		}
	}
	if err := a.DeleteDigest(ctx, "acme.azurecr.io/team/app", "sha256:feed"); err != nil || len(manifests.digests) != 1 {
		t.Errorf("DeleteDigest: %v, %v", err, manifests.digests)
	}
	want := []string{"DELETE /acr/v1/team/app/_tags/feature-b", "DELETE /acr/v1/team/app/_tags/gone"}
	if diff := cmp.Diff(want, log.calls); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	bad := ACR{Username: "sp", Password: "wrong", API: srv.URL}
	if err := bad.DeleteTag(ctx, "acme.azurecr.io/team/app", "x"); !isAPIStatus(err, http.StatusUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
}

// TestNativeAPIsRetry: the native APIs go through the run's transport, so a
// rate limit with Retry-After, a server error or a reset is retried as any
// registry request is: the login and each delete here meet one of each.
func TestNativeAPIsRetry(t *testing.T) {
	t.Parallel()
	var log apiLog
	var mu sync.Mutex
	seen := map[string]int{}
	srv := log.server(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		mu.Lock()
		seen[r.URL.Path]++
		first := seen[r.URL.Path] == 1
		mu.Unlock()
		switch {
		case first && r.URL.Path == "/v2/users/login":
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"detail":"slow down"}`, http.StatusTooManyRequests)
		case first && strings.HasSuffix(r.URL.Path, "/tags/a/"):
			http.Error(w, "bad gateway", http.StatusBadGateway)
		case first && strings.HasSuffix(r.URL.Path, "/tags/b/"):
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close() // a reset
		case r.URL.Path == "/v2/users/login":
			_, _ = w.Write([]byte(`{"token":"jwt"}`))
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	client := requests.New(context.Background(), requests.Options{Timeout: 30 * time.Second}).Client()
	hub := &DockerHub{Username: "ci", Password: "pat", API: srv.URL, Client: client}
	start := time.Now()
	for _, tag := range []string{"a", "b"} {
		if err := hub.DeleteTag(context.Background(), "acme/app", tag); err != nil {
			t.Fatalf("DeleteTag %s: %v", tag, err)
		}
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("the login was retried after %s, before its Retry-After of 1s", waited)
	}
	mu.Lock()
	defer mu.Unlock()
	for path, n := range seen {
		if n != 2 {
			t.Errorf("%s asked %d times, want 2 (one fault, one retry)", path, n)
		}
	}
}
