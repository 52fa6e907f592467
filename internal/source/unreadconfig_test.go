package source_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/source"
)

// TestRegistrySourceConfigLeftUnread opens a registry source whose config
// the registry refuses. With its checks deferred (a publish), OpenAll and
// Run never ask for the config: an image published unchanged copies it by
// digest, and labelling reads it itself. Opened whole (no Defer), the
// refusal fails the open, naming the source.
func TestRegistrySourceConfigLeftUnread(t *testing.T) {
	t.Parallel()
	img := testImage(t, 7)
	config, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int32
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+config.String()) {
			asked.Add(1)
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}`, http.StatusForbidden)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ref, _ := name.NewTag(strings.TrimPrefix(srv.URL, "http://") + "/src/app:1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	images := []source.Named{{Label: "app", Specs: []string{"docker://" + ref.String()}}}
	opts := source.Options{Keychain: authn.NewMultiKeychain(), Jobs: 2}

	var deferred source.Deferred
	deferredOpts := opts
	deferredOpts.Defer = &deferred
	if _, err := source.OpenAll(context.Background(), images, deferredOpts, ""); err != nil {
		t.Fatalf("OpenAll, deferred: %v", err)
	}
	if err := deferred.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("deferred: the config was asked for %d times, want 0", n)
	}

	_, err = source.OpenAll(context.Background(), images, opts, "")
	if err == nil || !strings.Contains(err.Error(), "docker://"+ref.String()) || asked.Load() == 0 {
		t.Errorf("OpenAll, whole: %v (config asked %d times), want the refusal naming the source", err, asked.Load())
	}
}
