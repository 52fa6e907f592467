package publish

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/shiptag/shiptag/internal/registry"
)

// TestUnusedUploadCancelledWhileManifestsAreWritten tags an image whose
// blobs the repository has already: the push check's upload is not taken by
// any blob, and its DELETE goes out beside the manifest's PUT, not after
// it, where it would cost the run a round trip more.
func TestUnusedUploadCancelledWhileManifestsAreWritten(t *testing.T) {
	t.Parallel()
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	var mu sync.Mutex
	var events []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		manifestPut := r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
		if manifestPut {
			time.Sleep(200 * time.Millisecond) // a registry some way off
		}
		if r.Method == http.MethodDelete {
			mu.Lock()
			events = append(events, "upload DELETE")
			mu.Unlock()
		}
		reg.ServeHTTP(w, r)
		if manifestPut {
			mu.Lock()
			events = append(events, "manifest PUT answered")
			mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	a, err := registry.New(context.Background(), registry.Options{Insecure: []string{host}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	images := seedImages(t)
	publish := func(tag string) {
		t.Helper()
		ref, err := name.NewTag(host+"/app:"+tag, a.NameOptions(host+"/app")...)
		if err != nil {
			t.Fatal(err)
		}
		if err := Publish(context.Background(), []Target{{Ref: ref, Artifact: images[0]}}, Options{Jobs: 4,
			Remote: a.RemoteOptions(), Keychain: a.Keychain(), Transport: a.Transport()}); err != nil {
			t.Fatalf("Publish %s: %v", tag, err)
		}
	}
	publish("v1")
	mu.Lock()
	events = nil
	mu.Unlock()
	publish("v2") // every blob is there: only the tag is new
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"upload DELETE", "manifest PUT answered"}; strings.Join(events, ", ") != strings.Join(want, ", ") {
		t.Errorf("requests in order: %v, want %v", events, want)
	}
}
