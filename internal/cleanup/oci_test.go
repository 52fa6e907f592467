package cleanup

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// pushLabeled pushes an empty image with labels under ref.
func pushLabeled(t *testing.T, ref string, labels map[string]string) string {
	t.Helper()
	cf, err := empty.Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.Config.Labels = labels
	img, err := mutate.ConfigFile(empty.Image, cf)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustRef(t, ref), img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d.String()
}

// TestOCIReadAndDeleteByTag: go-containerregistry's registry deletes tags
// alone, so the manifest and its other tag stay.
func TestOCIReadAndDeleteByTag(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	repo := strings.TrimPrefix(srv.URL, "http://") + "/team/app"
	labels := map[string]string{"werf-tag-strategy": "git-branch", "werf-image-tag": "main", "werf-image-name": ""}
	digest := pushLabeled(t, repo+":main", labels)
	pushLabeled(t, repo+":also-main", labels)

	ctx := context.Background()
	o := OCI{}
	tags, err := o.Tags(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"also-main", "main"}, tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	got, err := o.Manifest(ctx, repo+":main")
	if err != nil || got.Digest != digest || got.Labels["werf-image-tag"] != "main" {
		t.Errorf("Manifest = %+v, %v; want %s and the labels", got, err, digest)
	}
	if err := o.DeleteTag(ctx, repo, "main"); err != nil {
		t.Fatalf("DeleteTag: %v", err)
	}
	if err := o.DeleteTag(ctx, repo, "main"); err != nil {
		t.Errorf("deleting a tag already gone: %v", err)
	}
	if _, err := remote.Head(mustRef(t, repo+":also-main")); err != nil {
		t.Errorf("the other tag went with the deleted one: %v", err)
	}
	if tags, _ := o.Tags(ctx, strings.TrimPrefix(srv.URL, "http://")+"/nothing"); len(tags) != 0 {
		t.Errorf("a missing repository has tags %v", tags)
	}
}

// TestOCITagDeleteRefused: a registry that refuses tag deletes (as
// distribution 2.x answers them) gives ErrTagDeleteUnsupported.
func TestOCITagDeleteRefused(t *testing.T) {
	t.Parallel()
	inner := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && !strings.Contains(r.URL.Path, "/manifests/sha256:") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}`))
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	repo := strings.TrimPrefix(srv.URL, "http://") + "/app"
	digest := pushLabeled(t, repo+":x", map[string]string{"a": "b"})
	o := OCI{}
	ctx := context.Background()
	if err := o.DeleteTag(ctx, repo, "x"); err == nil || !strings.Contains(err.Error(), ErrTagDeleteUnsupported.Error()) {
		t.Fatalf("DeleteTag = %v, want ErrTagDeleteUnsupported", err)
	}
	if err := o.DeleteDigest(ctx, repo, digest); err != nil {
		t.Fatalf("DeleteDigest: %v", err)
	}
	if _, err := remote.Head(mustRef(t, repo+"@"+digest)); err == nil {
		t.Error("the manifest is still there after DeleteDigest")
	}
	if err := o.DeleteDigest(ctx, repo, digest); err != nil {
		t.Errorf("deleting a manifest already gone: %v", err)
	}
}
