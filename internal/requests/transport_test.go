package requests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

const wait = 300 * time.Millisecond

// silent answers nothing until done is closed.
func silent(done <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}
}

// serve starts a server whose handlers are released before it closes.
func serve(t *testing.T, h func(done <-chan struct{}) http.HandlerFunc) *httptest.Server {
	done := make(chan struct{})
	srv := httptest.NewServer(h(done))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first
	return srv
}

func TestStalls(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		handler   func(done <-chan struct{}) http.HandlerFunc
		method    string
		body      func() io.Reader // nil: none
		wantTries int              // at most; a silent host is tried at least twice
	}{
		{"no answer to a GET: tried until the host is silent", silent, http.MethodGet, nil, silentFor},
		{"no answer to a POST of bytes, which can be sent again", silent, http.MethodPost,
			func() io.Reader { return bytes.NewReader([]byte("login")) }, silentFor},
		{"no answer to a PUT, which the layer above retries", silent, http.MethodPut,
			func() io.Reader { return bytes.NewReader([]byte("manifest")) }, 1},
		{"a streamed upload the server stops taking", silent, http.MethodPatch, func() io.Reader { return io.MultiReader(strings.NewReader("x"), &endless{}) }, 1},
		{"an answer whose body stops", func(done <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				_, _ = w.Write([]byte("partial"))
				w.(http.Flusher).Flush()
				silent(done)(w, r)
			}
		}, http.MethodGet, nil, Backoff.Steps}, // the host keeps answering: each stall is a fault like any other
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var tries atomic.Int32
			srv := serve(t, func(done <-chan struct{}) http.HandlerFunc {
				h := tc.handler(done)
				return func(w http.ResponseWriter, r *http.Request) { tries.Add(1); h(w, r) }
			})
			tr := New(context.Background(), Options{Timeout: wait})
			var body io.Reader
			if tc.body != nil {
				body = tc.body()
			}
			req, _ := http.NewRequest(tc.method, srv.URL+"/v2/", body)
			start := time.Now()
			err := roundTripAndRead(tr, req)
			took := time.Since(start)
			var stall *StallError
			if !errors.As(err, &stall) {
				t.Fatalf("err = %v, want a StallError", err)
			}
			// How many tries fit before the host counts as silent depends on
			// the backoff's jitter and the machine's load: a retried request
			// is tried more than once and never more than wantTries times.
			least := min(2, tc.wantTries)
			if n := int(tries.Load()); n < least || n > tc.wantTries || stall.Wait != wait || stall.Host != strings.TrimPrefix(srv.URL, "http://") {
				t.Errorf("stall %+v after %d tries, want %d to %d tries of %s at the server", stall, n, least, tc.wantTries, wait)
			}
			if limit := time.Duration(tc.wantTries)*wait + 5*time.Second; took > limit {
				t.Errorf("took %s, more than %s", took, limit)
			}
			if !strings.Contains(err.Error(), "--timeout") {
				t.Errorf("error %q does not name the setting", err)
			}
		})
	}
}

// endless is a request body that never ends.
type endless struct{}

func (*endless) Read(p []byte) (int, error) { return len(p), nil }

func roundTripAndRead(tr http.RoundTripper, req *http.Request) error {
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

// TestSlowReaderIsNoStall: the watch runs only while a read waits for the
// server, so a consumer that takes its time between reads is never cut off.
func TestSlowReaderIsNoStall(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("x"), 3<<20))
	}))
	t.Cleanup(srv.Close)
	tr := New(context.Background(), Options{Timeout: wait})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	time.Sleep(2 * wait)
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != 3<<20 {
		t.Errorf("read %d bytes, %v", n, err)
	}
}

// TestRunEndStopsRequests: the run's end (a signal) ends a request that a
// server leaves hanging, at once, whatever the timeout, with its cause.
func TestRunEndStopsRequests(t *testing.T) {
	t.Parallel()
	srv := serve(t, silent)
	ctx, cancel := context.WithCancelCause(context.Background())
	tr := New(ctx, Options{Timeout: time.Hour})
	time.AfterFunc(100*time.Millisecond, func() { cancel(errors.New("terminated signal received")) })
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil) // no context of its own, as CheckPushPermission's
	_, err := tr.RoundTrip(req)
	if err == nil || !strings.Contains(err.Error(), "terminated signal received") {
		t.Errorf("err = %v, want the run's cause", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s after the run ended", took)
	}
	if _, err := tr.RoundTrip(req); err == nil {
		t.Error("a request after the run's end went out")
	}
}

// TestRetrying: faults of every transient kind are retried with the body
// sent whole each time; what is not transient is not.
func TestRetrying(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults []string // what the first requests get
		tries  int32
		ok     bool
	}{
		{"500 then ok", []string{"500"}, 2, true},
		{"429, 503, reset, then ok", []string{"429", "503", "reset"}, 4, true},
		{"five faults: out of tries", []string{"500", "500", "500", "500", "500"}, 5, false},
		{"401 is not retried", []string{"401"}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := tries.Add(1)
				if body, _ := io.ReadAll(r.Body); string(body) != "payload" {
					t.Errorf("try %d got body %q", n, body)
				}
				if int(n) > len(tc.faults) {
					w.WriteHeader(http.StatusCreated)
					return
				}
				switch f := tc.faults[n-1]; f {
				case "reset":
					conn, _, _ := http.NewResponseController(w).Hijack()
					_ = conn.(*net.TCPConn).SetLinger(0)
					_ = conn.Close()
				default:
					var code int
					fmt.Sscan(f, &code)
					w.WriteHeader(code)
				}
			}))
			t.Cleanup(srv.Close)
			client := New(context.Background(), Options{Timeout: wait}).Client()
			resp, err := client.Post(srv.URL, "text/plain", strings.NewReader("payload"))
			ok := err == nil && resp.StatusCode == http.StatusCreated
			if err == nil {
				resp.Body.Close()
			}
			if ok != tc.ok || tries.Load() != tc.tries {
				t.Errorf("ok %v after %d tries (%v), want %v after %d", ok, tries.Load(), err, tc.ok, tc.tries)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&transport.Error{StatusCode: 503}, true},
		{&transport.Error{StatusCode: 429}, true},
		{&transport.Error{StatusCode: 404}, false},
		{&transport.Error{StatusCode: 401}, false},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{&net.OpError{Op: "read", Err: fmt.Errorf("x: %w", errReset)}, true},
		{&StallError{Wait: time.Second, Unheard: silentFor * time.Second}, false},
		{fmt.Errorf("upload: %w", &StallError{Wait: time.Second, Unheard: 2 * time.Second}), true},
		{&TriedError{Tries: 5, Err: &transport.Error{StatusCode: 503}}, false},
		{fmt.Errorf("x: %w", context.Canceled), false},
		{errors.New("x509: certificate signed by unknown authority"), false},
	} {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestSilentHost: through the retry policy, a host that answers nothing
// fails once it has been silent for silentFor timeouts, saying so; a
// host that loses every other request is retried until it answers.
func TestSilentHost(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := serve(t, func(done <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/flaky" && n.Add(1)%2 == 0 {
				return // answered
			}
			silent(done)(w, r)
		}
	})
	tr := New(context.Background(), Options{Timeout: wait})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/silent", nil)
	start := time.Now()
	err := roundTripAndRead(tr, req)
	var stall *StallError
	if !errors.As(err, &stall) || !stall.Silent() || !strings.Contains(err.Error(), "gone silent") {
		t.Fatalf("err = %v, want a silent host", err)
	}
	if took, limit := time.Since(start), (silentFor+1)*wait+3*time.Second; took > limit {
		t.Errorf("took %s, more than %s", took, limit)
	}
	tr = New(context.Background(), Options{Timeout: wait})
	flaky, _ := http.NewRequest(http.MethodGet, srv.URL+"/flaky", nil)
	for i := 0; i < 3; i++ {
		if err := roundTripAndRead(tr, flaky); err != nil {
			t.Errorf("flaky request %d: %v", i, err)
		}
	}
}
