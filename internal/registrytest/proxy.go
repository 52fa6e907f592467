package registrytest

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/shiptag/shiptag/internal/inprocess"
)

// Proxy stands between a client and the real registry on loopback. It
// counts every request by kind and the bytes the registry receives (the
// access log cannot show request sizes), and can fail a share of the
// requests of chosen kinds, in chosen ways. Faults are drawn from a fixed
// seed and stop after a bounded number, so a run cannot fail forever.
type Proxy struct {
	Host    string
	Counter *inprocess.Counter
	// Trace, if set before the first request, hears of every request once
	// it is answered: for a timeline of what a client waits on.
	Trace func(TraceEvent)

	mu     sync.Mutex
	rng    *rand.Rand
	f      Faults
	left   int
	faults map[string]int // fault → count
	held   chan struct{}  // closed by Close: releases stalled requests
	srv    *http.Server
}

// The ways a Proxy fails a request.
const (
	Fault500   = "500"    // an HTTP 500 with a registry error body
	Fault429   = "429"    // an HTTP 429 (TOOMANYREQUESTS)
	FaultReset = "reset"  // the connection reset, no answer
	FaultStall = "stall"  // part of an answer, then nothing; an upload stops being taken
	FaultQuiet = "silent" // the request taken whole, then no answer at all
)

// Faults says how a Proxy fails requests; the zero value fails none.
type Faults struct {
	Rate float64 // share of the chosen requests to fail
	Seed uint64
	Max  int // faults at most; -1: no bound
	// Kinds are the request kinds to fail (as Kind names them, matched by
	// prefix: "manifest" is every manifest request); nil: blob and
	// manifest requests, the historical default.
	Kinds []string
	// Ways are the faults to draw from; nil: 500, 429 and reset.
	Ways []string
}

// StartProxy serves TLS with the registry's own certificate (from the
// Server's directory, so clients trust it the same way) and forwards to s.
// It speaks HTTP/1.1 only, since a reset fault takes the connection over.
func StartProxy(s *Server, f Faults) (*Proxy, error) {
	return startProxy(s, f, false)
}

// StartCountingProxy is a Proxy without faults that offers HTTP/2 as well,
// as registries do over TLS, so that clients talk to it as to them.
func StartCountingProxy(s *Server) (*Proxy, error) {
	return startProxy(s, Faults{}, true)
}

func startProxy(s *Server, f Faults, http2 bool) (*Proxy, error) {
	client, err := s.Client()
	if err != nil {
		return nil, err
	}
	target, _ := url.Parse("https://" + s.Host)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = client.Transport
	return serve(s, f, http2, rp)
}

// StartInMemory is a counting Proxy in front of go-containerregistry's
// registry in memory instead of s, with s's certificate and HTTP/2: a
// registry that costs next to nothing per request (no password hash to
// check, no files), for telling a client's own bound from the registry's.
func StartInMemory(s *Server) (*Proxy, error) {
	return serve(s, Faults{}, true, registry.New(registry.Logger(log.New(io.Discard, "", 0))))
}

// serve answers TLS with s's certificate, counting, then handing each
// request to next.
func serve(s *Server, f Faults, http2 bool, next http.Handler) (*Proxy, error) {
	dir := filepath.Dir(s.CAFile)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"))
	if err != nil {
		return nil, err
	}
	config := &tls.Config{Certificates: []tls.Certificate{cert}}
	if http2 {
		config.NextProtos = []string{"h2", "http/1.1"}
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", config)
	if err != nil {
		return nil, err
	}
	p := &Proxy{Host: ln.Addr().String(), Counter: inprocess.NewCounter(), faults: map[string]int{}, held: make(chan struct{})}
	p.Set(f)
	// Clients that try plain HTTP first on loopback are no news.
	p.srv = &http.Server{Handler: p.handler(next), ErrorLog: log.New(io.Discard, "", 0)}
	if http2 {
		p.srv.Protocols = new(http.Protocols)
		p.srv.Protocols.SetHTTP1(true)
		p.srv.Protocols.SetHTTP2(true)
	}
	go p.srv.Serve(ln)
	return p, nil
}

// Set replaces the faults from now on (a test sets up clean, then fails).
func (p *Proxy) Set(f Faults) {
	if f.Kinds == nil {
		f.Kinds = []string{"blob", "upload", "manifest"}
	}
	if f.Ways == nil {
		f.Ways = []string{Fault500, Fault429, FaultReset}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.f, p.left, p.rng = f, f.Max, rand.New(rand.NewPCG(f.Seed, f.Seed^0xfa17))
}

func (p *Proxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Counter.Count(r)
		if p.Trace != nil {
			ev := TraceEvent{Kind: inprocess.Kind(r), Path: r.URL.Path, Start: time.Now()}
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			w = sw
			defer func() { ev.End, ev.Status = time.Now(), sw.status; p.Trace(ev) }()
		}
		if k := inprocess.Kind(r); r.Body != nil && (k == "upload PATCH" || k == "upload PUT") {
			r.Body = &countingBody{ReadCloser: r.Body, add: p.Counter.AddBytes}
		}
		switch p.draw(r) {
		case Fault500:
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}`, http.StatusInternalServerError)
		case Fault429:
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"injected fault"}]}`, http.StatusTooManyRequests)
		case FaultReset:
			reset(w)
		case FaultStall:
			p.stall(w, r, next)
		case FaultQuiet:
			_, _ = io.Copy(io.Discard, r.Body)
			p.hold(r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// reset closes the connection with a TCP reset, not a clean close.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*tls.Conn); ok {
		if raw, ok := tc.NetConn().(*net.TCPConn); ok {
			_ = raw.SetLinger(0)
		}
	}
	conn.Close()
}

// stall forwards the request, then sends the registry's status and headers
// and half of its body, and stops; an answer without a body stops before
// its headers.
func (p *Proxy) stall(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	if body := rec.Body.Bytes(); len(body) > 1 && r.Method != http.MethodHead {
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
	}
	p.hold(r)
}

// hold waits until the client gives up or the proxy closes, and then
// aborts the answer (a reset stream, a closed connection): a handler that
// returned would send an empty 200 OK, which a client still waiting, as
// one may be when the server saw its request end first, would take for the
// registry's answer. A silent registry never answers.
func (p *Proxy) hold(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-p.held:
	}
	panic(http.ErrAbortHandler)
}

// draw decides the fate of one request: "" to forward it.
func (p *Proxy) draw(r *http.Request) string {
	kind := inprocess.Kind(r)
	if !slices.ContainsFunc(p.f.Kinds, func(k string) bool { return strings.HasPrefix(kind, k) }) {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.left == 0 || p.rng.Float64() >= p.f.Rate {
		return ""
	}
	p.left--
	way := p.f.Ways[p.rng.IntN(len(p.f.Ways))]
	p.faults[way]++
	return way
}

// Faults says how many faults of each way were injected.
func (p *Proxy) Faults() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var parts []string
	for _, w := range p.f.Ways {
		parts = append(parts, fmt.Sprintf("%s: %d", w, p.faults[w]))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// Injected is the number of faults injected so far.
func (p *Proxy) Injected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.faults {
		n += c
	}
	return n
}

// Close releases the requests it holds and stops the proxy.
func (p *Proxy) Close() {
	close(p.held)
	_ = p.srv.Close()
}

// countingBody reports the bytes read from a request body.
type countingBody struct {
	io.ReadCloser
	add func(int64)
}

// Read reads and reports how much it read.
func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.add(int64(n))
	return n, err
}

// TraceEvent is one request the proxy passed on: its kind (as
// inprocess.Kind names it), path, answer and when it came and went.
type TraceEvent struct {
	Kind, Path string
	Status     int
	Start, End time.Time
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (resets).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
