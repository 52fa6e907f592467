package publish

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// TestFillDigestsByReference: digests reach the plan entry of their own
// reference, whatever order the targets come in, and a reference without a
// target is an error, not a digest borrowed from a neighbour.
func TestFillDigestsByReference(t *testing.T) {
	t.Parallel()
	var targets []Target
	want := map[string]string{}
	for i, ref := range []string{"r.example/app:b", "r.example/app:a"} {
		l, err := sample.Layer(uint64(i+1), 100)
		if err != nil {
			t.Fatal(err)
		}
		img, err := sample.Image("linux/amd64", l)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		want[ref] = d.String()
		tag, err := name.NewTag(ref)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, Target{Ref: tag, Artifact: source.Artifact{Image: img}})
	}
	p := plan.Plan{Images: []plan.Image{{Name: "app", Refs: []plan.Ref{{Ref: "r.example/app:a"}, {Ref: "r.example/app:b"}}}}}
	if err := FillDigests(&p, targets); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range p.Images[0].Refs {
		got[r.Ref] = r.Digest
	}
	if diff := cmp.Diff(want, got); diff != "" || p.Images[0].Digest != want["r.example/app:a"] {
		t.Errorf("digests (-want +got):\n%s\nimage digest %s", diff, p.Images[0].Digest)
	}
	p.Images[0].Refs = append(p.Images[0].Refs, plan.Ref{Ref: "r.example/app:c"})
	if err := FillDigests(&p, targets); err == nil {
		t.Error("a reference without a target got a digest")
	}
}
