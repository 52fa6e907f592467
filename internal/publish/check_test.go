package publish

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/shiptag/shiptag/internal/registry"
)

// writesRefused serves an in-process registry whose writes are all
// answered status; reads work. writes counts them, and those that are not
// a POST opening an upload (blob data, manifests).
func writesRefused(t *testing.T, status int, writes, notOpening *atomic.Int32) *httptest.Server {
	reads := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writes.Add(1)
			if r.Method != http.MethodPost {
				notOpening.Add(1)
			}
			w.WriteHeader(status)
			return
		}
		reads.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestPushCheckExplained publishes through the run's registry access to
// registries that fail the way registries fail, before anything is written
// or at the push check: each ends in one error that says what to fix, as
// the publish command shows it.
func TestPushCheckExplained(t *testing.T) {
	t.Parallel()
	var refusedWrites, failedWrites, sent atomic.Int32
	refuse := writesRefused(t, http.StatusUnauthorized, &refusedWrites, &sent)
	failing := writesRefused(t, http.StatusServiceUnavailable, &failedWrites, &sent)
	takes := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(takes.Close)
	untrusted := httptest.NewTLSServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case's handshake
	t.Cleanup(untrusted.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	t.Cleanup(func() { // after the subtests, before the servers close
		if refusedWrites.Load() == 0 || sent.Load() != 0 || failedWrites.Load() <= refusedWrites.Load() {
			t.Errorf("writes: %d to the refusing registry, %d to the failing one (want the check's alone, retried where it failed), %d not the check's",
				refusedWrites.Load(), failedWrites.Load(), sent.Load())
		}
	})
	host := func(u string) string { return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://") }
	images := seedImages(t)
	for _, tc := range []struct {
		name     string
		host     string
		opts     registry.Options
		contains []string // nil: the publish succeeds
	}{
		{"a registry that takes pushes", host(takes.URL), registry.Options{Insecure: []string{host(takes.URL)}}, nil},
		{"refused credentials name their source and the permission", host(refuse.URL),
			registry.Options{Insecure: []string{host(refuse.URL)}, Username: "me", Password: "pw", Hosts: []string{host(refuse.URL)}},
			[]string{"refused the credentials (--username) with 401 Unauthorized", "push permission"}},
		{"a failing registry is not a credentials problem", host(failing.URL), registry.Options{Insecure: []string{host(failing.URL)}},
			[]string{"kept answering 503 Service Unavailable", "not refusing the credentials"}},
		{"nothing listening", closed, registry.Options{Insecure: []string{closed}}, []string{"nothing answers at " + closed, "check --repo"}},
		{"an untrusted certificate", host(untrusted.URL), registry.Options{}, []string{"TLS certificate is not trusted", "--insecure-registry " + host(untrusted.URL)}},
		{"an insecure host skips verification", host(untrusted.URL), registry.Options{Insecure: []string{host(untrusted.URL)}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Timeout = 5 * time.Second
			a, err := registry.New(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.NewTag(tc.host+"/app:v1", a.NameOptions(tc.host+"/app")...)
			if err != nil {
				t.Fatal(err)
			}
			explain := func(repo name.Repository, err error) error { return a.Explain("push to", "push", repo, err) }
			err = Publish(context.Background(), []Target{{Ref: ref, Artifact: images[0]}}, Options{Jobs: 4,
				Remote: a.RemoteOptions(), Keychain: a.Keychain(), Transport: a.Transport(), Explain: explain})
			var unreachable *RepoError
			if errors.As(err, &unreachable) {
				err = explain(unreachable.Repo, err)
			}
			if tc.contains == nil {
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
				return
			}
			for _, want := range append(tc.contains, "cannot push to "+tc.host+"/app") {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error = %v, want it to say %q", err, want)
				}
			}
		})
	}
}
