package requests

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// pings remembers each registry's answer to a ping (GET /v2/ without
// credentials), so that a run pings a registry once, however many
// repositories it reads and writes: go-containerregistry pings again for
// every repository and every scope it authenticates for, a round trip each
// time before the first real request (three of them in a two-image push
// before). The answer (200, or 401 with its challenges) says only how the
// registry wants to be spoken to, which does not change during a run.
type pings struct {
	mu      sync.Mutex
	answers map[string]*pingAnswer // scheme://host → its answer, or the ping in flight
}

// pingAnswer is one registry's answer; ready is closed once it is known.
// A ping that failed leaves ok false, and the next ping asks again.
type pingAnswer struct {
	ready  chan struct{}
	ok     bool
	status int
	header http.Header
}

// isPing reports whether req is a registry ping: GET /v2/ with no
// credentials.
func isPing(req *http.Request) bool {
	return req.Method == http.MethodGet && req.URL.Path == "/v2/" && req.URL.RawQuery == "" &&
		req.Header.Get("Authorization") == ""
}

// ping answers req from the registry's remembered answer, or sends it (one
// at a time per registry: a parallel start sends one ping, not one per
// goroutine) and remembers the answer when it is a 200 or a 401.
func (t *Transport) ping(req *http.Request, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	key := req.URL.Scheme + "://" + strings.ToLower(req.URL.Host)
	for {
		t.pings.mu.Lock()
		if t.pings.answers == nil {
			t.pings.answers = map[string]*pingAnswer{}
		}
		a := t.pings.answers[key]
		if a == nil {
			a = &pingAnswer{ready: make(chan struct{})}
			t.pings.answers[key] = a
			t.pings.mu.Unlock()
			return t.firstPing(req, key, a, send)
		}
		t.pings.mu.Unlock()
		select {
		case <-a.ready:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		if a.ok {
			return a.response(req), nil
		}
	}
}

// firstPing sends the ping that others wait on, and records its answer.
func (t *Transport) firstPing(req *http.Request, key string, a *pingAnswer, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	resp, err := send(req)
	if err == nil && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized) {
		a.ok, a.status, a.header = true, resp.StatusCode, resp.Header.Clone()
	}
	t.pings.mu.Lock()
	if !a.ok {
		delete(t.pings.answers, key)
	}
	t.pings.mu.Unlock()
	close(a.ready)
	return resp, err
}

// response is the remembered answer, as an answer to req.
func (a *pingAnswer) response(req *http.Request) *http.Response {
	return &http.Response{
		Status: fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)), StatusCode: a.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header.Clone(), Body: io.NopCloser(strings.NewReader("")), ContentLength: 0, Request: req,
	}
}

// plainHTTP reports whether host answered a ping over plain HTTP and not
// over HTTPS: a registry with no TLS, whose connections are not dialled
// ahead.
func (t *Transport) plainHTTP(host string) bool {
	t.pings.mu.Lock()
	defer t.pings.mu.Unlock()
	host = strings.ToLower(host)
	return t.pings.answers["http://"+host] != nil && t.pings.answers["https://"+host] == nil
}
