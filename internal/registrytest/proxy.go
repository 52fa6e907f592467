package registrytest

import (
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
)

// Proxy stands between a client and the real registry on loopback. It
// counts every request by kind and the bytes the registry receives (the
// access log cannot show request sizes), and can fail a share of blob and
// manifest requests before they reach the registry: an HTTP 500, an HTTP
// 429, or a connection closed without an answer. Faults are drawn from a
// fixed seed and stop after a bounded number, so a run cannot fail forever.
type Proxy struct {
	Host    string
	Counter *Counter

	mu     sync.Mutex
	rng    *rand.Rand
	rate   float64
	left   int
	faults map[string]int // kind → count
	srv    *http.Server
}

// Faults says how a Proxy fails requests; the zero value fails none.
type Faults struct {
	Rate float64 // share of blob and manifest requests to fail
	Seed uint64
	Max  int // faults at most
}

// StartProxy serves TLS with the registry's own certificate (from the
// Server's directory, so clients trust it the same way) and forwards to s.
func StartProxy(s *Server, f Faults) (*Proxy, error) {
	dir := filepath.Dir(s.CAFile)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"))
	if err != nil {
		return nil, err
	}
	client, err := s.Client()
	if err != nil {
		return nil, err
	}
	target, _ := url.Parse("https://" + s.Host)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = client.Transport
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return nil, err
	}
	p := &Proxy{Host: ln.Addr().String(), Counter: NewCounter(), rng: rand.New(rand.NewPCG(f.Seed, f.Seed^0xfa17)),
		rate: f.Rate, left: f.Max, faults: map[string]int{}}
	p.srv = &http.Server{Handler: p.handler(rp)}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *Proxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Counter.Count(r)
		if k := Kind(r); r.Body != nil && (k == "upload PATCH" || k == "upload PUT") {
			r.Body = &countingBody{ReadCloser: r.Body, add: p.Counter.AddBytes}
		}
		switch p.draw(r) {
		case "500":
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}`, http.StatusInternalServerError)
		case "429":
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"injected fault"}]}`, http.StatusTooManyRequests)
		case "reset":
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				if tc, ok := conn.(*tls.Conn); ok {
					if raw, ok := tc.NetConn().(*net.TCPConn); ok {
						_ = raw.SetLinger(0) // a reset, not a clean close
					}
				}
				conn.Close()
			}
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// draw decides the fate of one request: "" to forward it.
func (p *Proxy) draw(r *http.Request) string {
	if !strings.Contains(r.URL.Path, "/blobs/") && !strings.Contains(r.URL.Path, "/manifests/") {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.left == 0 || p.rng.Float64() >= p.rate {
		return ""
	}
	p.left--
	kind := []string{"500", "429", "reset"}[p.rng.IntN(3)]
	p.faults[kind]++
	return kind
}

// Faults says how many faults of each kind were injected.
func (p *Proxy) Faults() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("500: %d, 429: %d, reset: %d", p.faults["500"], p.faults["429"], p.faults["reset"])
}

// Close stops the proxy.
func (p *Proxy) Close() { _ = p.srv.Close() }

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
