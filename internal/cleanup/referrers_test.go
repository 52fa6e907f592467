package cleanup

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// referrersFake answers Referrers from a map of subject digest to its
// referrers' digests, or with err.
type referrersFake struct {
	refs map[string][]string
	err  error
}

func (referrersFake) Tags(context.Context, string) ([]string, error)     { return nil, nil }
func (referrersFake) Manifest(context.Context, string) (Manifest, error) { return Manifest{}, nil }
func (f referrersFake) Referrers(_ context.Context, _, digest string) ([]string, error) {
	return f.refs[digest], f.err
}

// orphanInventory is r/app with the tags of tags, each a digest and, for
// an index, its manifests.
func orphanInventory(tags map[string]Manifest) Inventory {
	var entries []*entry
	for tag, m := range tags {
		entries = append(entries, &entry{repository: "r/app", tag: tag, Manifest: m})
	}
	return assemble(entries, nil)
}

func TestFindOrphans(t *testing.T) {
	t.Parallel()
	// old (sha256:a) goes. The registry lists an attestation (att) that
	// refers to it, and a signature (attsig) of that; cosign's .sig tag
	// points at its signature (s).
	base := map[string]Manifest{"old": {Digest: "sha256:a"}, "sha256-a.sig": {Digest: "sha256:s"}}
	refs := map[string][]string{"sha256:a": {"sha256:att"}, "sha256:att": {"sha256:attsig"}}
	with := func(extra map[string]Manifest) map[string]Manifest {
		out := map[string]Manifest{}
		for _, m := range []map[string]Manifest{base, extra} {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	type found struct{ Digest, Keep string }
	for _, tc := range []struct {
		name    string
		tags    map[string]Manifest
		unread  bool
		listErr error
		want    []found
		wantErr bool
	}{
		{name: "the referrers, cosign's tag and a referrer's referrer go", tags: base,
			want: []found{{"sha256:att", ""}, {"sha256:s", ""}, {"sha256:attsig", ""}}},
		{name: "an image another tag keeps has no orphans", tags: with(map[string]Manifest{"latest": {Digest: "sha256:a"}})},
		{name: "a kept index holding the image keeps its referrers",
			tags: with(map[string]Manifest{"multi": {Digest: "sha256:idx", Children: []string{"sha256:a"}}})},
		{name: "a signature a kept tag points at stays", tags: with(map[string]Manifest{"pinned": {Digest: "sha256:s"}}),
			want: []found{{"sha256:att", ""}, {"sha256:s", "the kept tag pinned points at it"}, {"sha256:attsig", ""}}},
		{name: "a repository with an unread tag keeps everything", tags: base, unread: true},
		{name: "referrers that cannot be listed stay", tags: base, listErr: errors.New("503 Service Unavailable"), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := orphanInventory(tc.tags)
			if tc.unread {
				inv.Unread["r/app"] = true
			}
			decisions := []Decision{{Item: Item{Ref: "r/app:old", Repository: "r/app", Tag: "old", Digest: "sha256:a"}, Delete: true}}
			orphans, err := FindOrphans(context.Background(), referrersFake{refs: refs, err: tc.listErr}, inv, decisions, 4)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want one: %v", err, tc.wantErr)
			}
			var got []found
			for _, o := range orphans {
				if o.Of != "r/app:old" || o.Repository != "r/app" {
					t.Errorf("orphan %+v does not name old and its repository", o)
				}
				got = append(got, found{o.Digest, o.Keep})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("orphans (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSettleAndDeleteOrphans(t *testing.T) {
	t.Parallel()
	inv := orphanInventory(map[string]Manifest{"old": {Digest: "sha256:a"}, "sha256-a.sig": {Digest: "sha256:s"}})
	orphans := func() []Orphan {
		return []Orphan{
			{Of: "r/app:old", Subject: "sha256:a", Repository: "r/app", Digest: "sha256:att"},
			{Of: "r/app:old", Subject: "sha256:a", Repository: "r/app", Digest: "sha256:s", Tags: []string{"sha256-a.sig"}},
		}
	}
	decisions := []Decision{{Item: Item{Ref: "r/app:old", Repository: "r/app", Tag: "old", Digest: "sha256:a"}, Delete: true}}

	// The image could not be deleted: what refers to it stays.
	failed := orphans()
	Settle(inv, decisions, failed)
	for _, o := range failed {
		if o.Keep != "r/app:old was not deleted" {
			t.Errorf("orphan %s of an image that stayed: keep %q", o.Digest, o.Keep)
		}
	}
	reg := &manifestsOnly{}
	if err := DeleteOrphans(context.Background(), reg, failed); err != nil || len(reg.calls) > 0 {
		t.Errorf("kept orphans deleted: %v, %q", err, reg.calls)
	}

	decisions[0].Deleted = true
	gone := orphans()
	Settle(inv, decisions, gone)
	if err := DeleteOrphans(context.Background(), reg, gone); err != nil {
		t.Fatal(err)
	}
	want := []string{"digest r/app@sha256:att", "tag r/app:sha256-a.sig", "digest r/app@sha256:s"}
	if diff := cmp.Diff(want, reg.calls); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	if !gone[0].Deleted || !gone[1].Deleted {
		t.Errorf("orphans not marked deleted: %+v", gone)
	}
}

// tagsOnly deletes tags, never a manifest by digest, like Docker Hub.
type tagsOnly struct{}

func (tagsOnly) DeleteTag(context.Context, string, string) error { return nil }
func (tagsOnly) DeleteDigest(context.Context, string, string) error {
	return ErrDigestDeleteUnsupported
}

func TestDeleteOrphansWhereOnlyTagsGo(t *testing.T) {
	t.Parallel()
	orphans := []Orphan{{Of: "r/app:old", Repository: "r/app", Digest: "sha256:att"},
		{Of: "r/app:old", Repository: "r/app", Digest: "sha256:s", Tags: []string{"sha256-a.sig"}}}
	if err := DeleteOrphans(context.Background(), tagsOnly{}, orphans); err != nil {
		t.Fatalf("a registry that deletes tags only failed the run: %v", err)
	}
	want := []string{"the registry deletes tags only, not an untagged manifest",
		"its tags are deleted, but the registry deletes tags only, not an untagged manifest"}
	for i, o := range orphans {
		if o.Keep != want[i] || o.Deleted || o.Failed {
			t.Errorf("orphan %s: %+v, want kept: %s", o.Digest, o, want[i])
		}
	}
}
