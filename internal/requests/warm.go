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
// the registry is still being read, they are ready when the data goes, or
// nearly: an upload that finds one still being dialled waits for it rather
// than dialling another.
type warmConns struct {
	mu      sync.Mutex
	ready   map[string]chan warmConn // HOST:PORT → what each dial ahead gave, in turn
	left    map[string]int           // HOST:PORT → dials ahead not yet handed out
	started map[string]int           // HOST:PORT → dials ahead in all
}

// warmConn is what one dial ahead gave: a connection, or nil when it failed.
type warmConn struct {
	conn net.Conn
	at   time.Time
}

// dataDialer dials TLS connections for base's blob data, handing out one
// dialled ahead where there is one.
func (t *Transport) dataDialer(config *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if c := t.warm.take(ctx, addr); c != nil {
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
// proxy is left alone (its connections go to the proxy), and so is one that
// speaks plain HTTP.
func (t *Transport) Warm(host string, n int) {
	if t.plainHTTP(host) {
		return
	}
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
	for range t.warm.start(addr, n) {
		go func() {
			ctx, cancel := context.WithTimeout(t.run, 30*time.Second)
			defer cancel()
			c, err := dialTLS(ctx, "tcp", addr, config)
			if err != nil {
				c = nil
			}
			t.warm.put(addr, c)
		}()
	}
}

// warmMost is the most dials ahead one host gets in a run.
const warmMost = 256

// start counts n more dials ahead for addr, less those not handed out yet
// (and within warmMost in all), and returns how many to begin.
func (w *warmConns) start(addr string, n int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ready == nil {
		w.ready, w.left, w.started = map[string]chan warmConn{}, map[string]int{}, map[string]int{}
	}
	if w.ready[addr] == nil {
		w.ready[addr] = make(chan warmConn, warmMost)
	}
	more := min(max(n-w.left[addr], 0), warmMost-w.started[addr])
	w.left[addr] += more
	w.started[addr] += more
	return more
}

// put hands on what one dial ahead gave.
func (w *warmConns) put(addr string, c net.Conn) {
	w.mu.Lock()
	ch := w.ready[addr]
	w.mu.Unlock()
	ch <- warmConn{conn: c, at: time.Now()}
}

// take hands out a connection dialled ahead for addr, waiting for one
// still being dialled; nil when there is none, or it failed or is old.
func (w *warmConns) take(ctx context.Context, addr string) net.Conn {
	w.mu.Lock()
	if w.left[addr] == 0 {
		w.mu.Unlock()
		return nil
	}
	w.left[addr]--
	ch := w.ready[addr]
	w.mu.Unlock()
	select {
	case wc := <-ch:
		if wc.conn != nil && time.Since(wc.at) > warmAge {
			_ = wc.conn.Close()
			return nil
		}
		return wc.conn
	case <-ctx.Done():
		return nil
	}
}
