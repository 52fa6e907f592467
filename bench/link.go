package main

import (
	"net"
	"sync"
	"time"
)

// linkModel is the path from a CI runner to a cloud registry, as the
// shaping proxy plays it: a delay each way, a rate per connection and a
// rate for all connections together, per direction.
type linkModel struct {
	OneWay  time.Duration `json:"one_way_delay"`
	PerConn float64       `json:"per_connection_bytes_per_s"`
	Total   float64       `json:"total_bytes_per_s"`
}

// rtt is one round trip on the link.
func (m linkModel) rtt() time.Duration { return 2 * m.OneWay }

// limit is the least time any tool needs for a scenario on the link: the
// unique bytes at the total rate, or the largest blob at one connection's
// rate, whichever is longer, plus the round trips that cannot overlap: TCP
// and TLS, then an upload's start and commit, then a manifest (a rerun
// needs one look at what is there; a retag in another repository, a read,
// a mount and a write; one in the source's own repository, a read and a
// write).
func (m linkModel) limit(sc scenario, unique, largest int64) float64 {
	rtt := m.rtt().Seconds()
	switch {
	case sc.rerun:
		return 3 * rtt
	case sc.sameRepo:
		return 4 * rtt
	case sc.retag:
		return 5 * rtt
	}
	return max(float64(unique)/m.Total, float64(largest)/m.PerConn) + 5*rtt
}

// bucket paces bytes at a rate: take says when n more bytes may go.
type bucket struct {
	mu   sync.Mutex
	rate float64 // bytes per second
	next time.Time
}

// burst is how far behind the clock a bucket's schedule may fall and still
// be made up. A sleep overshoots by up to a millisecond here (the runtime's
// timer resolution); without this credit every 16 KB piece would lose that
// overshoot, and a connection modelled at 25 MB/s would carry 13.
const burst = 2 * time.Millisecond

func (b *bucket) take(n int) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if earliest := time.Now().Add(-burst); b.next.Before(earliest) {
		b.next = earliest
	}
	b.next = b.next.Add(time.Duration(float64(n) / b.rate * float64(time.Second)))
	return b.next
}

// linkProxy forwards TCP connections to target through the link model;
// TLS passes through untouched, so client and server negotiate HTTP/2 or
// HTTP/1.1 between themselves as over a real link.
type linkProxy struct {
	Host        string
	ln          net.Listener
	model       linkModel
	target      string
	up, down    *bucket // the total rate, each direction
	mu          sync.Mutex
	connections int
}

func startLink(target string, m linkModel) (*linkProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &linkProxy{Host: ln.Addr().String(), ln: ln, model: m, target: target,
		up: &bucket{rate: m.Total}, down: &bucket{rate: m.Total}}
	go p.serve()
	return p, nil
}

func (p *linkProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.connections++
		p.mu.Unlock()
		go p.carry(client)
	}
}

// carry connects one client to the target; the TCP handshake costs a round
// trip, as on the link.
func (p *linkProxy) carry(client net.Conn) {
	time.Sleep(p.model.rtt())
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	go p.pump(server, client, &bucket{rate: p.model.PerConn}, p.up)
	go p.pump(client, server, &bucket{rate: p.model.PerConn}, p.down)
}

// piece is what the link has in flight: bytes and when they arrive.
type piece struct {
	at   time.Time
	data []byte
}

// pump moves bytes from src to dst: each piece is paced by the
// connection's rate and the total, then arrives one delay later.
func (p *linkProxy) pump(dst, src net.Conn, conn, total *bucket) {
	inFlight := make(chan piece, 4096)
	go func() {
		defer close(inFlight)
		buf := make([]byte, 16<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				sent := conn.take(n)
				if t := total.take(n); t.After(sent) {
					sent = t
				}
				if wait := time.Until(sent); wait > 0 {
					time.Sleep(wait)
				}
				// A piece sent on credit (see burst) still takes the delay from now.
				inFlight <- piece{later(sent, time.Now()).Add(p.model.OneWay), append([]byte(nil), buf[:n]...)}
			}
			if err != nil {
				return
			}
		}
	}()
	for pc := range inFlight {
		if wait := time.Until(pc.at); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := dst.Write(pc.data); err != nil {
			src.Close() // the reader stops; what it still has in flight is dropped
			for range inFlight {
			}
			return
		}
	}
	if c, ok := dst.(interface{ CloseWrite() error }); ok {
		c.CloseWrite()
	} else {
		dst.Close()
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Connections is how many TCP connections the proxy has taken so far.
func (p *linkProxy) Connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.connections
}

func (p *linkProxy) Close() error { return p.ln.Close() }
