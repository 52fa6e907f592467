// Package requests is how every HTTP request of a run goes out: registry
// reads and writes, the push checks, pings, token fetches and
// the native cleanup APIs. One transport gives them the same TLS settings,
// the same bound on how long a server may stay silent, the run's end (a
// signal) as their end, and one retry policy for their transient faults.
package requests

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options are the settings of a run's transport.
type Options struct {
	// Timeout is how long a server may stay silent: to the first byte of
	// an answer, while taking a request body, or between bytes of an answer.
	Timeout time.Duration
	// Insecure lists the hosts (HOST:PORT as in a URL) whose TLS
	// certificate is not verified.
	Insecure map[string]bool
	// UserAgent is sent with every request that has none.
	UserAgent string
}

// Transport is the http.RoundTripper of a run. It retries what is safe to
// send again itself (see resendable), by the one policy; a PUT or PATCH
// fails at once, for go-containerregistry to send whole again after it
// checks what the registry already has. A request a server leaves silent
// for the timeout fails with a *StallError. Every request ends when the
// run's context does.
type Transport struct {
	run  context.Context
	opts Options
	// secure and insecure carry requests without a large body, over HTTP/2
	// where the server offers it; secureData and insecureData carry blob
	// data (see carriesData).
	secure, secureData     http.RoundTripper
	insecure, insecureData http.RoundTripper
	// secureTLS and insecureTLS are the data connections' TLS settings.
	secureTLS, insecureTLS *tls.Config

	mu    sync.Mutex
	heard map[string]time.Time // host → when it last gave a sign of life

	pings pings
	warm  warmConns
}

// idlePerHost is how many idle connections to one registry are kept for
// reuse: as many as a run has requests in flight, so that a parallel push
// does not open a new TLS connection for each request.
const idlePerHost = 64

// New returns the transport of a run that ends with ctx.
func New(ctx context.Context, o Options) *Transport {
	loadRoots()
	secure := http.DefaultTransport.(*http.Transport).Clone()
	secure.MaxIdleConnsPerHost = idlePerHost
	t := &Transport{run: ctx, opts: o, secure: secure, heard: map[string]time.Time{}}
	t.secureTLS = &tls.Config{NextProtos: []string{"http/1.1"}}
	t.secureData = t.http1(secure, t.secureTLS)
	if len(o.Insecure) > 0 {
		insecure := secure.Clone()
		insecure.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}                        //nolint:gosec // the user named these hosts
		t.insecureTLS = &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}} //nolint:gosec // the user named these hosts
		t.insecure, t.insecureData = insecure, t.http1(insecure, t.insecureTLS)
	}
	return t
}

// http1 is base speaking HTTP/1.1 only, one request per connection at a
// time, over connections dialled with config (some dialled ahead, see
// Warm). Blob data goes this way: over HTTP/2 every upload to a registry
// would share one TCP connection, whose flow-control window (1 MiB in Go's
// server, and in many registries) caps it near window ÷ round trip, about
// 25 MB/s at 40 ms, whatever the link carries; parallel uploads on their own
// connections fill it.
func (t *Transport) http1(base *http.Transport, config *tls.Config) *http.Transport {
	h := base.Clone()
	h.ForceAttemptHTTP2 = false
	h.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	h.TLSClientConfig = config
	h.DialTLSContext = t.dataDialer(config)
	return h
}

// carriesData reports whether req sends blob data: a PATCH or PUT of a
// blob upload session (…/blobs/uploads/…), or reads one (GET …/blobs/…)
// outside a SmallBlobs context.
func carriesData(req *http.Request) bool {
	switch req.Method {
	case http.MethodPatch, http.MethodPut:
		return strings.Contains(req.URL.Path, "/blobs/uploads/")
	case http.MethodGet:
		return strings.Contains(req.URL.Path, "/blobs/sha256:") && req.Context().Value(smallBlobsKey{}) == nil
	}
	return false
}

type smallBlobsKey struct{}

// SmallBlobs marks the blob reads made with the returned context as small
// ones (image configs, read by the hundred in a cleanup): they share the
// multiplexed connection the manifests take, where the registry offers
// HTTP/2, instead of each read holding a data connection of its own, with
// a TLS handshake for every one of them.
func SmallBlobs(ctx context.Context) context.Context {
	return context.WithValue(ctx, smallBlobsKey{}, true)
}

// RoundTrip sends one request, and again after a transient fault while
// the policy allows and the request is safe to resend. A ping is answered
// from the registry's first answer of the run.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if isPing(req) {
		return t.ping(req, t.send)
	}
	return t.send(req)
}

// send is RoundTrip without the remembered pings.
func (t *Transport) send(req *http.Request) (*http.Response, error) {
	if !resendable(req) {
		return t.attempt(req)
	}
	delay := Backoff.Duration
	for try := 1; ; try++ {
		resp, err := t.attempt(req)
		if try >= Backoff.Steps || !transient(resp, err) {
			return markTried(resp, err, try)
		}
		wait := jitter(delay)
		if after := retryAfter(resp); after > wait {
			wait = after
		}
		if resp != nil {
			resp.Body.Close()
		}
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, err)
		}
		delay = time.Duration(float64(delay) * Backoff.Factor)
	}
}

// sleep waits d, unless the request or the run ends first.
func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.run.Done():
		return context.Cause(t.run)
	}
}

// resendable reports whether a request may be sent again as it is: reads,
// deletes (a second delete finds the thing gone) and POSTs whose body can
// be had again (a second upload session is harmless). A PUT or PATCH may
// have taken effect before the fault (a blob upload committed), so the
// layer above, which checks what exists before it writes again, retries
// those.
func resendable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return true
	case http.MethodPost:
		return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	}
	return false
}

// pick is the transport for req to host: the insecure pair for a host
// the user named, blob data over HTTP/1.1 connections of its own.
func (t *Transport) pick(req *http.Request, host string) http.RoundTripper {
	data := carriesData(req)
	switch {
	case t.insecure != nil && t.opts.Insecure[host] && data:
		return t.insecureData
	case t.insecure != nil && t.opts.Insecure[host]:
		return t.insecure
	case data:
		return t.secureData
	}
	return t.secure
}
