package publish

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestPublicOrHome(t *testing.T) {
	t.Parallel()
	names := map[string][]netip.Addr{ // what the test's resolver knows
		"registry.example.com": {netip.MustParseAddr("203.0.113.1")},
		"registry.corp":        {netip.MustParseAddr("10.0.0.2")},
		"mixed.corp":           {netip.MustParseAddr("10.0.0.3"), netip.MustParseAddr("203.0.113.3")},
		"dev.local":            {netip.MustParseAddr("127.0.0.1")},
	}
	lookup := func(_ context.Context, _, host string) ([]netip.Addr, error) {
		if addrs, ok := names[host]; ok {
			return addrs, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	for _, tc := range []struct {
		name, host, to string
		ok             bool
	}{
		{"the registry itself", "127.0.0.1", "127.0.0.1", true},
		{"the registry itself, spelled in capitals", "Registry.Example.com", "registry.example.com", true},
		{"public storage", "registry.example.com", "bucket.s3.amazonaws.com", true},
		{"a public address", "registry.example.com", "203.0.113.7", true},
		{"a private address from a public registry", "registry.example.com", "10.0.0.5", false},
		{"loopback from elsewhere", "registry.example.com", "127.0.0.1", false},
		{"link-local (cloud metadata)", "registry.example.com", "169.254.169.254", false},
		{"link-local from a private registry", "registry.corp", "169.254.169.254", false},
		{"IPv6 loopback", "registry.example.com", "::1", false},
		{"an IPv4-mapped private address", "registry.example.com", "::ffff:10.0.0.5", false},
		{"a private registry's configured address", "registry.corp", "10.0.0.5", true},
		{"a private registry sending to loopback", "registry.corp", "127.0.0.1", false},
		{"a registry named by a private address", "192.168.1.10", "10.0.0.5", true},
		{"a registry with public and private addresses", "mixed.corp", "10.0.0.5", false},
		{"a registry whose name does not resolve", "gone.corp", "10.0.0.5", false},
		{"localhost sending to its address", "localhost", "127.0.0.1", true},
		{"a local name sending to loopback", "dev.local", "127.0.0.1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := publicOrHome(context.Background(), lookup, tc.host, tc.to); (err == nil) != tc.ok {
				t.Errorf("publicOrHome(%q, %q) = %v, want allowed %v", tc.host, tc.to, err, tc.ok)
			}
		})
	}
}

// recorded serves go-containerregistry's registry (which keeps one store
// for all repositories and never mounts), refusing mount requests outright
// when refuseMounts, and the upload named "expired", and records each
// request as "METHOD path[?mount]".
func recorded(t *testing.T, refuseMounts bool) (*httptest.Server, func() []string) {
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := r.Method + " " + r.URL.Path
		if r.URL.Query().Get("mount") != "" {
			line += "?mount"
		}
		mu.Lock()
		seen = append(seen, line)
		mu.Unlock()
		if refuseMounts && r.URL.Query().Get("mount") != "" {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/uploads/expired") {
			http.Error(w, `{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown"}]}`, http.StatusNotFound)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := seen
		seen = nil
		return out
	}
}

// TestRepoWriter: an upload is a POST and a PUT (a fresh one when the one
// opened early is refused); a mount the registry
// declines is followed by a question whether it has the blob (and no bytes
// when it has); a mount it refuses outright becomes a plain upload.
func TestRepoWriter(t *testing.T) {
	t.Parallel()
	layer, err := random.Layer(256, "application/vnd.oci.image.layer.v1.tar")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := layer.Digest()
	size, _ := layer.Size()
	for _, tc := range []struct {
		name         string
		refuseMounts bool
		first        bool // upload to repo a before the case's request
		from         string
		want         []string
		stale        bool // given an upload the registry does not know (expired)
	}{
		{"a plain upload", false, false, "", []string{"POST /v2/b/blobs/uploads/", "PUT /v2/b/blobs/uploads/"}, false},
		{"an upload opened early that expired", false, false, "",
			[]string{"PUT /v2/b/blobs/uploads/", "POST /v2/b/blobs/uploads/", "PUT /v2/b/blobs/uploads/"}, true},
		{"a declined mount of a blob the registry has", false, true, "a",
			[]string{"POST /v2/b/blobs/uploads/?mount", "HEAD /v2/b/blobs/" + d.String(), "DELETE /v2/b/blobs/uploads/"}, false},
		{"a declined mount of a blob it lacks", false, false, "a",
			[]string{"POST /v2/b/blobs/uploads/?mount", "HEAD /v2/b/blobs/" + d.String(), "PUT /v2/b/blobs/uploads/"}, false},
		{"a mount refused outright", true, false, "a",
			[]string{"POST /v2/b/blobs/uploads/?mount", "POST /v2/b/blobs/uploads/", "HEAD /v2/b/blobs/" + d.String(), "PUT /v2/b/blobs/uploads/"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, requests := recorded(t, tc.refuseMounts)
			host := strings.TrimPrefix(srv.URL, "http://")
			writer := func(repo string) *repoWriter {
				r, err := name.NewRepository(host+"/"+repo, name.Insecure)
				if err != nil {
					t.Fatal(err)
				}
				w, err := newRepoWriter(context.Background(), r, nil, Options{})
				if err != nil {
					t.Fatal(err)
				}
				return w
			}
			if tc.first {
				if err := writer("a").upload(context.Background(), layer, d, size, "", ""); err != nil {
					t.Fatal(err)
				}
			}
			w := writer("b")
			requests()
			session := ""
			if tc.stale {
				session = srv.URL + "/v2/b/blobs/uploads/expired"
			}
			if err := w.upload(context.Background(), layer, d, size, tc.from, session); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range requests() {
				if i := strings.LastIndex(r, "/uploads/"); i >= 0 && !strings.HasSuffix(r, "/uploads/") && !strings.HasSuffix(r, "?mount") {
					r = r[:i+len("/uploads/")] // the upload's id
				}
				got = append(got, r)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}
