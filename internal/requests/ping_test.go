package requests

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// countingPings is an in-process registry behind basic auth that counts
// the pings it gets, answering the first fail of them 404.
func countingPings(t *testing.T, fail int32) (*httptest.Server, *atomic.Int32) {
	var pings atomic.Int32
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			if pings.Add(1) <= fail {
				w.WriteHeader(http.StatusNotFound)
				return
			}
		}
		if _, _, ok := r.BasicAuth(); !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &pings
}

func TestOnePingPerRegistry(t *testing.T) {
	t.Parallel()
	srv, pings := countingPings(t, 0)
	host := strings.TrimPrefix(srv.URL, "http://")
	opts := pingOptions()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			ref, err := name.ParseReference(fmt.Sprintf("%s/repo%d:t", host, i%3), name.Insecure)
			if err == nil {
				err = remote.Write(ref, img, opts...)
			}
			if err == nil {
				_, err = remote.Head(ref, opts...)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if got := pings.Load(); got != 1 {
		t.Errorf("pings = %d, want 1 for three repositories read and written by six writers", got)
	}
}

func TestFailedPingIsAskedAgain(t *testing.T) {
	t.Parallel()
	srv, pings := countingPings(t, 1)
	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://")+"/repo:t", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	opts := pingOptions()
	if _, err := remote.Head(ref, opts...); err == nil {
		t.Fatal("the first HEAD succeeded through a ping answered 404")
	}
	if _, err := remote.Head(ref, opts...); !IsStatus(err, http.StatusNotFound) {
		t.Fatalf("second HEAD: %v, want the registry's 404 for a missing tag", err)
	}
	if got := pings.Load(); got != 2 {
		t.Errorf("pings = %d, want 2: a failed ping is not remembered", got)
	}
}

// pingOptions are go-containerregistry's options over one fresh
// transport, with a login.
func pingOptions() []remote.Option {
	tr := New(context.Background(), Options{Timeout: wait})
	return append(tr.RemoteOptions(), remote.WithAuth(&authn.Basic{Username: "u", Password: "p"}))
}
