package inprocess

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/google/go-containerregistry/pkg/registry"
)

// Registry is go-containerregistry's registry served on a free loopback
// port inside this process, with a Counter in front: for the demo and the
// tests that need a registry but not a real server.
type Registry struct {
	Host    string // 127.0.0.1:PORT, plain HTTP
	Counter *Counter
	srv     *http.Server
}

// Start starts the registry; Close stops it.
func Start() (*Registry, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting an in-process registry: %w", err)
	}
	r := &Registry{Host: ln.Addr().String(), Counter: NewCounter()}
	r.srv = &http.Server{Handler: r.Counter.Handler(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))}
	go r.srv.Serve(ln)
	return r, nil
}

// Close stops the registry.
func (r *Registry) Close() { _ = r.srv.Close() }
