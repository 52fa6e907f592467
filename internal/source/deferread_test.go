package source_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/source"
)

// TestRegistrySourceConfigReadDeferred opens a registry source with its
// checks deferred: OpenAll returns once the manifest is read, while the
// config is still on its way (the publish asks the registry what it has
// meanwhile), and Run waits for it. A config the registry fails to serve
// is then the registry's failure, not a usage error, and names the image.
func TestRegistrySourceConfigReadDeferred(t *testing.T) {
	t.Parallel()
	img := testImage(t, 7)
	config, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	var release atomic.Pointer[chan struct{}]
	var broken atomic.Bool
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+config.String()) {
			<-*release.Load()
			if broken.Load() {
				http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}`, http.StatusForbidden)
				return
			}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ref, _ := name.NewTag(strings.TrimPrefix(srv.URL, "http://") + "/src/app:1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		broken bool
	}{{"served", false}, {"refused", true}} {
		held := make(chan struct{})
		release.Store(&held)
		broken.Store(tc.broken)
		// Were OpenAll to wait for the config, it would never return: let
		// the config go after a while, to report that rather than hang.
		waited := time.AfterFunc(10*time.Second, func() { close(held) })
		var deferred source.Deferred
		images := []source.Named{{Label: "app", Specs: []string{"docker://" + ref.String()}}}
		if _, err := source.OpenAll(context.Background(), images, source.Options{Keychain: authn.NewMultiKeychain(), Jobs: 2, Defer: &deferred}, ""); err != nil {
			t.Fatalf("%s: OpenAll, config held back: %v", tc.name, err)
		}
		if !waited.Stop() {
			t.Fatalf("%s: OpenAll waited for the config", tc.name)
		}
		close(held)
		err := deferred.Run(context.Background())
		var usage *inputs.Error
		switch {
		case !tc.broken && err != nil:
			t.Errorf("%s: Run: %v", tc.name, err)
		case tc.broken && (err == nil || errors.As(err, &usage) || !strings.Contains(err.Error(), "image app")):
			t.Errorf("%s: Run = %v, want the registry's failure, naming the image, not a usage error", tc.name, err)
		}
	}
}
