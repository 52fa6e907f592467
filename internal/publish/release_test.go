package publish

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// TestUnusedUploadCancelledWhileManifestsAreWritten tags an image in two
// repositories that hold its blobs already (one repository alone needs no
// check): the push check's upload in the blobs' home is taken by no blob,
// and its DELETE goes out beside the manifest's PUT, not after it, where it
// would cost the run a round trip more.
func TestUnusedUploadCancelledWhileManifestsAreWritten(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []string
	host, a := behind(t, func(w http.ResponseWriter, r *http.Request, reg http.Handler) {
		home := strings.HasPrefix(r.URL.Path, "/v2/app/")
		manifestPut := r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
		if manifestPut {
			time.Sleep(200 * time.Millisecond) // a registry some way off
		}
		if r.Method == http.MethodDelete && home {
			mu.Lock()
			events = append(events, "upload DELETE")
			mu.Unlock()
		}
		reg.ServeHTTP(w, r)
		if manifestPut && home {
			mu.Lock()
			events = append(events, "manifest PUT answered")
			mu.Unlock()
		}
	})
	images := seedImages(t)
	publish := func(tag string) {
		t.Helper()
		var targets []Target
		for _, repo := range []string{"app", "copy"} {
			ref, err := name.NewTag(host+"/"+repo+":"+tag, a.NameOptions(host+"/"+repo)...)
			if err != nil {
				t.Fatal(err)
			}
			targets = append(targets, Target{Ref: ref, Artifact: images[0]})
		}
		if err := Publish(context.Background(), targets, Options{Jobs: 4,
			Remote: a.RemoteOptions(), Keychain: a.Keychain(), Transport: a.Transport()}); err != nil {
			t.Fatalf("Publish %s: %v", tag, err)
		}
	}
	publish("v1")
	mu.Lock()
	events = nil
	mu.Unlock()
	publish("v2") // every blob is there: only the tags are new
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"upload DELETE", "manifest PUT answered"}; strings.Join(events, ", ") != strings.Join(want, ", ") {
		t.Errorf("requests to the blobs' home in order: %v, want %v", events, want)
	}
}
