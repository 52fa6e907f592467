package requests

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWarmConnectionsCarryTheData: connections dialled ahead carry the
// uploads that follow, so parallel uploads open no connection of their own;
// a host behind a proxy gets none.
func TestWarmConnectionsCarryTheData(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond) // the uploads overlap
		w.WriteHeader(http.StatusCreated)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	tr := New(context.Background(), Options{Timeout: wait, Insecure: map[string]bool{host: true}})
	tr.Warm(host, 3)
	waitFor(t, "3 connections dialled ahead", func() bool { return conns.Load() == 3 })
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/v2/app/blobs/uploads/"+string(rune('a'+i)), strings.NewReader("blob"))
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	if got := conns.Load(); got != 3 {
		t.Errorf("the server saw %d connections, want the 3 dialled ahead", got)
	}

	proxied := New(context.Background(), Options{Timeout: wait})
	proxied.secureData.(*http.Transport).Proxy = func(*http.Request) (*url.URL, error) { return url.Parse("http://proxy.invalid:3128") }
	proxied.Warm("registry.example.com", 4)
	if n := proxied.warm.start("registry.example.com:443", 4); n != 4 {
		t.Errorf("a proxied host has %d connections dialled ahead, want none", 4-n)
	}
}
