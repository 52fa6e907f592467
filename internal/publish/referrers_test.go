package publish

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/sample"
)

// TestCopyReferrersUnlisted: a registry that refuses the referrers
// endpoint (405 here) does not fail the run; what could not be listed is
// reported, and nothing is copied.
func TestCopyReferrersUnlisted(t *testing.T) {
	t.Parallel()
	inner := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/referrers/") {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	l, err := sample.Layer(1, 100)
	if err != nil {
		t.Fatal(err)
	}
	img, err := sample.Image("linux/amd64", l)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	from, _ := name.NewDigest(host + "/a@" + d.String())
	if err := remote.Write(from, img); err != nil {
		t.Fatal(err)
	}
	to, _ := name.NewRepository(host + "/b")
	var reported []error
	n, err := CopyReferrers(context.Background(), []Promotion{{From: from, To: to}}, nil, 4, func(err error) { reported = append(reported, err) })
	if err != nil || n != 0 || len(reported) != 1 || !strings.Contains(reported[0].Error(), "listing the referrers of") {
		t.Errorf("CopyReferrers = %d, %v; reported %v", n, err, reported)
	}
}
