package publish

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// TestSourcesVerifiedWhileTheRegistryIsRead starts the sources' check while
// the registry's answers are still on their way (it is CPU work, and the
// CPUs are idle meanwhile), holds every write until it passed, and leaves a
// rerun, which writes nothing, to end without waiting for it.
func TestSourcesVerifiedWhileTheRegistryIsRead(t *testing.T) {
	t.Parallel()
	var firstRead, writes atomic.Int64 // when the first tag read was answered; PUTs and PATCHes seen
	host, a := behind(t, func(w http.ResponseWriter, r *http.Request, reg http.Handler) {
		if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/") {
			time.Sleep(100 * time.Millisecond) // a registry some way off
			firstRead.CompareAndSwap(0, time.Now().UnixNano())
		}
		if r.Method == http.MethodPut || r.Method == http.MethodPatch { // blob data, manifests
			writes.Add(1)
		}
		reg.ServeHTTP(w, r)
	})
	ref, err := name.NewTag(host+"/app:v1", a.NameOptions(host+"/app")...)
	if err != nil {
		t.Fatal(err)
	}
	targets := []Target{{Ref: ref, Artifact: seedImages(t)[0]}}
	publish := func(verify func(context.Context) error) error {
		return Publish(context.Background(), targets, Options{Jobs: 4,
			Remote: a.RemoteOptions(), Keychain: a.Keychain(), Transport: a.Transport(), Verify: verify})
	}
	bad := errors.New("layer 2 is truncated")
	var started int64
	err = publish(func(context.Context) error {
		started = time.Now().UnixNano()
		return bad
	})
	if !errors.Is(err, bad) || writes.Load() != 0 {
		t.Errorf("publish of a bad source: %v, %d writes; want %v and none", err, writes.Load(), bad)
	}
	if started == 0 || started >= firstRead.Load() {
		t.Errorf("sources checked %v after the first tag read was answered, want before", time.Duration(started-firstRead.Load()))
	}
	if err := publish(nil); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	err = publish(func(ctx context.Context) error { // a rerun: every tag is current
		<-ctx.Done()
		stopped <- ctx.Err()
		return ctx.Err()
	})
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("rerun's check ended with %v, want it cancelled", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("rerun left the sources' check running")
	}
}
