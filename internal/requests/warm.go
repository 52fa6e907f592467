package requests

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// warmAge is how long a connection dialled ahead waits to be used before it
// is closed: servers close idle connections after a minute or more.
const warmAge = 20 * time.Second

// warmConns are TLS connections for blob data dialled ahead of need: a new
// connection costs two round trips (TCP, then TLS) before its first byte,
// and every parallel upload needs one of its own (see http1). Dialled while
// the registry is still being read, they are ready when the data goes.
type warmConns struct {
	mu   sync.Mutex
	idle map[string][]net.Conn // HOST:PORT → connections dialled ahead
}

// dataDialer dials TLS connections for base's blob data, handing out one
// dialled ahead where there is one.
func (t *Transport) dataDialer(config *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if c := t.warm.take(addr); c != nil {
			return c, nil
		}
		return dialTLS(ctx, network, addr, config)
	}
}

func dialTLS(ctx context.Context, network, addr string, config *tls.Config) (net.Conn, error) {
	c := config.Clone()
	if c.ServerName == "" {
		c.ServerName, _, _ = net.SplitHostPort(addr)
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}, Config: c}
	return d.DialContext(ctx, network, addr)
}

// Warm dials up to n connections for blob data to host (HOST[:PORT]) in
// the background, fewer if some wait already; a host reached through a
// proxy is left alone (its connections go to the proxy).
func (t *Transport) Warm(host string, n int) {
	addr := host
	if _, _, err := net.SplitHostPort(host); err != nil {
		addr = net.JoinHostPort(host, "443")
	}
	base, config := t.secureData, t.secureTLS
	if t.insecure != nil && t.opts.Insecure[host] {
		base, config = t.insecureData, t.insecureTLS
	}
	if hb, ok := base.(*http.Transport); ok && hb.Proxy != nil {
		if p, err := hb.Proxy(&http.Request{URL: &url.URL{Scheme: "https", Host: addr}}); err != nil || p != nil {
			return
		}
	}
	for range t.warm.wanted(addr, n) {
		go func() {
			ctx, cancel := context.WithTimeout(t.run, 30*time.Second)
			defer cancel()
			if c, err := dialTLS(ctx, "tcp", addr, config); err == nil {
				t.warm.put(addr, c)
			}
		}()
	}
}

// wanted is how many more connections make n waiting for addr.
func (w *warmConns) wanted(addr string, n int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return max(n-len(w.idle[addr]), 0)
}

func (w *warmConns) put(addr string, c net.Conn) {
	w.mu.Lock()
	if w.idle == nil {
		w.idle = map[string][]net.Conn{}
	}
	w.idle[addr] = append(w.idle[addr], c)
	w.mu.Unlock()
	time.AfterFunc(warmAge, func() {
		if w.remove(addr, c) {
			_ = c.Close()
		}
	})
}

// take hands out a connection dialled ahead for addr, nil for none.
func (w *warmConns) take(addr string) net.Conn {
	w.mu.Lock()
	defer w.mu.Unlock()
	conns := w.idle[addr]
	if len(conns) == 0 {
		return nil
	}
	c := conns[len(conns)-1]
	w.idle[addr] = conns[:len(conns)-1]
	return c
}

// remove takes c out of addr's waiting connections, reporting whether it
// was still there.
func (w *warmConns) remove(addr string, c net.Conn) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, wc := range w.idle[addr] {
		if wc == c {
			w.idle[addr] = append(w.idle[addr][:i], w.idle[addr][i+1:]...)
			return true
		}
	}
	return false
}
