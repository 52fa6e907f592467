package requests

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBlobDataOnConnectionsOfItsOwn checks which protocol each kind of
// request takes to a registry that offers HTTP/2: blob data over HTTP/1.1
// (parallel uploads on their own connections, not one HTTP/2 connection's
// flow-control window), everything else over HTTP/2, and so do the blob
// reads of a SmallBlobs context.
func TestBlobDataOnConnectionsOfItsOwn(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Method+" "+r.URL.Path] = r.Proto
		mu.Unlock()
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	client := &http.Client{Transport: New(context.Background(), Options{Timeout: wait, Insecure: map[string]bool{host: true}})}
	requests := []struct{ method, path string }{
		{http.MethodGet, "/v2/"},
		{http.MethodHead, "/v2/app/blobs/sha256:1"},
		{http.MethodPost, "/v2/app/blobs/uploads/"},
		{http.MethodPatch, "/v2/app/blobs/uploads/u1"},
		{http.MethodPut, "/v2/app/blobs/uploads/u1"},
		{http.MethodGet, "/v2/app/blobs/sha256:1"},
		{http.MethodPut, "/v2/app/manifests/v1"},
	}
	for _, r := range requests {
		req, _ := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader("data"))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		resp.Body.Close()
	}
	small, _ := http.NewRequestWithContext(SmallBlobs(context.Background()), http.MethodGet, srv.URL+"/v2/app/blobs/sha256:config", nil)
	resp, err := client.Do(small)
	if err != nil {
		t.Fatalf("a small blob read: %v", err)
	}
	resp.Body.Close()
	want := map[string]string{
		"GET /v2/": "HTTP/2.0", "HEAD /v2/app/blobs/sha256:1": "HTTP/2.0", "POST /v2/app/blobs/uploads/": "HTTP/2.0",
		"PATCH /v2/app/blobs/uploads/u1": "HTTP/1.1", "PUT /v2/app/blobs/uploads/u1": "HTTP/1.1",
		"GET /v2/app/blobs/sha256:1": "HTTP/1.1", "PUT /v2/app/manifests/v1": "HTTP/2.0",
		"GET /v2/app/blobs/sha256:config": "HTTP/2.0",
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("protocols (-want +got):\n%s", diff)
	}
}

// TestPickSecure checks the same choice for a host whose certificate is
// verified.
func TestPickSecure(t *testing.T) {
	t.Parallel()
	tr := New(context.Background(), Options{Timeout: wait})
	for path, data := range map[string]bool{"/v2/app/blobs/uploads/u1": true, "/v2/app/manifests/v1": false} {
		req, _ := http.NewRequest(http.MethodPut, "https://registry.example"+path, nil)
		if got := tr.pick(req, "registry.example"); (got == tr.secureData) != data {
			t.Errorf("PUT %s: the data transport %v, want %v", path, got == tr.secureData, data)
		}
	}
}
