package publish

import (
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// countedImage counts the calls that read a source's layers again.
type countedImage struct {
	v1.Image
	layers *atomic.Int32
}

func (c countedImage) Layers() ([]v1.Layer, error) {
	c.layers.Add(1)
	return c.Image.Layers()
}

// TestCollectBlobsListsAnImageOnce: the tags of one image (one target each,
// in two repositories) list its blobs once, and every repository past the
// first is still where they are mounted.
func TestCollectBlobsListsAnImageOnce(t *testing.T) {
	t.Parallel()
	l, err := sample.Layer(7, 100)
	if err != nil {
		t.Fatal(err)
	}
	img, err := sample.Image("linux/amd64", l)
	if err != nil {
		t.Fatal(err)
	}
	calls := &atomic.Int32{}
	counted := source.Artifact{Image: countedImage{Image: img, layers: calls}}
	var targets []Target
	for _, ref := range []string{"r.example/a:1", "r.example/a:2", "r.example/b:1"} {
		tag, err := name.NewTag(ref)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, Target{Ref: tag, Artifact: counted})
	}
	blobs, err := collectBlobs(targets)
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the image's layers were listed %d times, want once", n)
	}
	b, _ := name.NewRepository("r.example/b")
	for _, bl := range blobs {
		if diff := cmp.Diff([]string{b.String()}, repoNames(bl.others)); diff != "" || bl.home.String() != "r.example/a" {
			t.Errorf("blob %s: home %s, mounted into (-want +got):\n%s", bl.digest, bl.home, diff)
		}
	}
	if len(blobs) != 2 {
		t.Errorf("%d blobs, want the layer and the config", len(blobs))
	}
}

func repoNames(repos []name.Repository) []string {
	var out []string
	for _, r := range repos {
		out = append(out, r.String())
	}
	return out
}
