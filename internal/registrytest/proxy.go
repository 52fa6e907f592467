package registrytest

import (
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
)

// FaultProxy stands between a client and a registry on loopback and fails
// a share of blob and manifest requests, before they reach the registry: an
// HTTP 500, an HTTP 429, or a connection closed without an answer. The
// choice is drawn from a fixed seed and stops after a bounded number of
// faults, so a run cannot fail forever.
type FaultProxy struct {
	Host string

	mu     sync.Mutex
	rng    *rand.Rand
	rate   float64
	left   int
	faults map[string]int // kind → count
	srv    *http.Server
}

// StartFaultProxy serves TLS with the registry's own certificate (from the
// Server's directory, so clients trust it the same way) and forwards to s.
func StartFaultProxy(s *Server, rate float64, seed uint64, maxFaults int) (*FaultProxy, error) {
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
	p := &FaultProxy{Host: ln.Addr().String(), rng: rand.New(rand.NewPCG(seed, seed^0xfa17)), rate: rate, left: maxFaults, faults: map[string]int{}}
	p.srv = &http.Server{Handler: p.handler(rp)}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *FaultProxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
func (p *FaultProxy) draw(r *http.Request) string {
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
func (p *FaultProxy) Faults() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("500: %d, 429: %d, reset: %d", p.faults["500"], p.faults["429"], p.faults["reset"])
}

// Close stops the proxy.
func (p *FaultProxy) Close() { _ = p.srv.Close() }
