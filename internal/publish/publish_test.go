package publish

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// seedImages are the benchmark seed's shape, small: two images of five
// layers, the first three shared.
func seedImages(t *testing.T) []source.Artifact {
	t.Helper()
	backend, frontend, err := sample.Seed(20_000)
	if err != nil {
		t.Fatal(err)
	}
	return []source.Artifact{{Image: backend}, {Image: frontend}}
}

func startRegistry(t *testing.T) (host string, counter *inprocess.Counter) {
	t.Helper()
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	return reg.Host, reg.Counter
}

func seedPlan(t *testing.T, repo string, mode labels.Mode) plan.Plan {
	t.Helper()
	c := plan.Inputs{RepoInputs: plan.RepoInputs{RegistryImplementation: "auto", RepoMode: "auto"}, TaggingStrategy: "none", Slug: "strict"}
	c.Repo = repo
	c.Images = []string{"backend=oci:unused", "frontend=oci:unused"}
	c.TaggingStrategy = "tag-or-branch"
	c.TagCustom = []string{"feature-using-cache", "my-test-branch"}
	p, err := plan.New(c, ci.Facts{Platform: ci.GitLab, GitBranch: "rework-cache"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func noOpts(string) []name.Option { return nil }

func TestPublishUploadsEachBlobOnce(t *testing.T) {
	t.Parallel()
	for _, mode := range []labels.Mode{labels.PerTag, labels.Shared, labels.None} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			host, counter := startRegistry(t)
			p := seedPlan(t, host+"/web/core/system", mode)
			targets, err := Targets(p, seedImages(t), Meta{Mode: mode, Revision: "abc"}, noOpts)
			if err != nil {
				t.Fatal(err)
			}
			if err := Publish(context.Background(), targets, Options{Jobs: 4}); err != nil {
				t.Fatal(err)
			}
			// 7 layers, plus one config per distinct image: 6 (per-tag) or 2.
			configs := map[labels.Mode]int{labels.PerTag: 6, labels.Shared: 2, labels.None: 2}[mode]
			got := counter.Snapshot()
			if twice := got.UploadedTwice(); len(twice) > 0 {
				t.Errorf("blobs uploaded more than once: %v", twice)
			}
			if want := 7 + configs; got.BlobUploads() != want {
				t.Errorf("blob uploads = %d, want %d", got.BlobUploads(), want)
			}
			// No mount count here: this registry keeps blobs in one global
			// store, so frontend finds the shared layers by its existence
			// check. The integration test counts mounts on a real registry.
			if got.Manifests != 6 {
				t.Errorf("manifest writes = %d, want 6 (one per reference)", got.Manifests)
			}
			checkReadBack(t, targets)

			counter.Reset()
			if err := Publish(context.Background(), targets, Options{Jobs: 4}); err != nil {
				t.Fatal(err)
			}
			again := counter.Snapshot()
			if again.BlobUploads() != 0 || again.Manifests != 0 || again.Mounts != 0 {
				t.Errorf("rerun: %d blob uploads, %d mounts, %d manifest writes; want none", again.BlobUploads(), again.Mounts, again.Manifests)
			}
		})
	}
}

// checkReadBack pulls every reference and compares it with what was pushed.
func checkReadBack(t *testing.T, targets []Target) {
	t.Helper()
	for _, tg := range targets {
		img, err := remote.Image(tg.Ref)
		if err != nil {
			t.Fatalf("pulling %s: %v", tg.Ref, err)
		}
		want, _ := tg.Artifact.Image.Digest()
		got, _ := img.Digest()
		if got != want {
			t.Errorf("%s: digest %s, want %s", tg.Ref, got, want)
		}
		srcLayers, _ := tg.Artifact.Image.Layers()
		gotLayers, _ := img.Layers()
		if diff := cmp.Diff(layerDigests(t, srcLayers), layerDigests(t, gotLayers)); diff != "" {
			t.Errorf("%s layers differ (-pushed +pulled):\n%s", tg.Ref, diff)
		}
	}
}

func layerDigests(t *testing.T, ls []v1.Layer) []string {
	t.Helper()
	var out []string
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d.String())
	}
	return out
}
