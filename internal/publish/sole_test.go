package publish

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
)

// TestSoleRepositoryCheckedByItsWrites tags an image in the one repository
// that holds its blobs: no push check is sent (the manifest's PUT needs the
// same permission), and when the registry refuses that PUT, the error says
// what to fix as the check's would, with nothing else written.
func TestSoleRepositoryCheckedByItsWrites(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var writes []string
	refuse := false
	host, a := behind(t, func(w http.ResponseWriter, r *http.Request, reg http.Handler) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path[strings.LastIndex(r.URL.Path[:strings.LastIndex(r.URL.Path, "/")], "/")+1:])
			refused := refuse
			mu.Unlock()
			if refused {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		reg.ServeHTTP(w, r)
	})
	images := seedImages(t)
	publish := func(tag string) error {
		t.Helper()
		ref, err := name.NewTag(host+"/app:"+tag, a.NameOptions(host+"/app")...)
		if err != nil {
			t.Fatal(err)
		}
		explain := func(repo name.Repository, err error) error { return a.Explain("push to", "push", repo, err) }
		return Publish(context.Background(), []Target{{Ref: ref, Artifact: images[0]}}, Options{Jobs: 4,
			Remote: a.RemoteOptions(), Keychain: a.Keychain(), Transport: a.Transport(), Explain: explain})
	}
	if err := publish("v1"); err != nil {
		t.Fatal(err)
	}
	written := func() []string {
		mu.Lock()
		defer mu.Unlock()
		w := writes
		writes = nil
		return w
	}
	if w := written(); len(w) == 0 || !strings.HasPrefix(w[0], "POST ") {
		t.Errorf("first publish's writes = %v, want the check's POST first", w)
	}
	if err := publish("v2"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"PUT manifests/v2"}, written()); diff != "" {
		t.Errorf("writes of a new tag (-want +got):\n%s", diff)
	}
	mu.Lock()
	refuse = true
	mu.Unlock()
	err := publish("v3")
	for _, want := range []string{"cannot push to " + host + "/app", "refused the credentials", "push permission"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("refused publish: error = %v, want it to say %q", err, want)
		}
	}
	if diff := cmp.Diff([]string{"PUT manifests/v3"}, written()); diff != "" {
		t.Errorf("writes of a refused tag (-want +got):\n%s", diff)
	}
}
