package publish

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/labels"
)

// TestTagsReadAhead publishes with the references read ahead, as the
// publish command does while its sources open: each reference is asked
// once (none again by the publish), what the reads do not cover is asked by
// the publish itself, and the result is the same as without them: only
// what is not current is written.
func TestTagsReadAhead(t *testing.T) {
	t.Parallel()
	host, counter := startRegistry(t)
	p := seedPlan(t, host+"/web/core/system", labels.None)
	targets, err := Targets(p, seedImages(t), Meta{Mode: labels.None}, noOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := Publish(context.Background(), targets, Options{Jobs: 4}); err != nil {
		t.Fatal(err)
	}
	withTag := func(tag string) []Target {
		ref, err := name.NewTag(targets[0].Ref.Context().String()+":"+tag, noOpts("")...)
		if err != nil {
			t.Fatal(err)
		}
		return append(targets[:len(targets):len(targets)], Target{Ref: ref, Artifact: targets[0].Artifact, Image: targets[0].Image})
	}
	withNew, withNewer := withTag("new"), withTag("newer")
	// Each case follows the one before it, on the same registry.
	for _, tc := range []struct {
		name        string
		ahead, push []Target
		// asked is the manifest HEADs and tag lists, written the manifests.
		heads, lists, written int
	}{
		{"every reference read ahead, all current", targets, targets, 6, 0, 0},
		{"a new reference not read ahead is asked by the publish", targets, withNew, 7, 0, 1},
		// Four references in one repository: its tags are listed, and
		// only the three listed asked.
		{"a new reference read ahead", withNewer, withNewer, 6, 1, 1},
	} {
		var refs []name.Reference
		for _, t := range tc.ahead {
			refs = append(refs, t.Ref)
		}
		counter.Reset()
		reads, err := ReadTags(context.Background(), refs, Options{Jobs: 4})
		if err != nil {
			t.Fatal(err)
		}
		err = Publish(context.Background(), tc.push, Options{Jobs: 4, Tags: reads})
		reads.Stop()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := counter.Snapshot()
		want := []int{tc.heads, tc.lists, tc.written}
		if diff := cmp.Diff(want, []int{got.Kinds["manifest HEAD"], got.Kinds["tag list"], got.Manifests}); diff != "" {
			t.Errorf("%s: [manifest HEADs, tag lists, manifests written] (-want +got):\n%s", tc.name, diff)
		}
	}
}
