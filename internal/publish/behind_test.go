package publish

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/shiptag/shiptag/internal/registry"
)

// behind serves an in-process registry through handle, which sees every
// request and passes it on to reg (or answers it itself), and returns the
// registry's host and the run's access to it (plain HTTP, 5 s timeout).
func behind(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, reg http.Handler)) (string, *registry.Access) {
	t.Helper()
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handle(w, r, reg) }))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	a, err := registry.New(context.Background(), registry.Options{Insecure: []string{host}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return host, a
}
