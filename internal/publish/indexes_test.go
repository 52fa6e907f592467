package publish

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// TestNestedIndexUnderTags: an index naming an image and another index,
// published under three tags, is read back whole under each; each
// manifest it names is written once, and nothing is asked about it first.
func TestNestedIndexUnderTags(t *testing.T) {
	t.Parallel()
	host, counter := startRegistry(t)
	backend, arm := twoPlatforms(t)
	inner, err := sample.Index(arm)
	if err != nil {
		t.Fatal(err)
	}
	outer := mutate.AppendManifests(inner, mutate.IndexAddendum{Add: backend})
	outer = mutate.AppendManifests(outer, mutate.IndexAddendum{Add: inner})
	var targets []Target
	for _, tag := range []string{"a", "b", "c"} {
		ref, _ := name.NewTag(host + "/nested:" + tag)
		targets = append(targets, Target{Ref: ref, Artifact: source.Artifact{Index: outer}})
	}
	counter.Reset()
	if err := Publish(context.Background(), targets, Options{Jobs: 4}); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		got, err := remote.Index(tg.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := got.Digest(); d != mustDigest(t, outer) {
			t.Errorf("%s: index digest %s, want %s", tg.Ref, d, mustDigest(t, outer))
		}
	}
	s := counter.Snapshot()
	// arm, backend, inner by digest, once each; the index under 3 tags.
	if s.Manifests != 3+3 || s.Kinds["manifest HEAD"] != 3 {
		t.Errorf("%d manifest writes and %d manifest HEADs, want 6 (each named manifest once, the index per tag) and 3 (one per tag, before)",
			s.Manifests, s.Kinds["manifest HEAD"])
	}
}
