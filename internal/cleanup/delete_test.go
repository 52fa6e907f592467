package cleanup

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// manifestsOnly is a registry that deletes only whole manifests, like
// distribution 2.x, and records what it was asked.
type manifestsOnly struct{ calls []string }

func (m *manifestsOnly) DeleteTag(_ context.Context, repository, tag string) error {
	m.calls = append(m.calls, "tag "+repository+":"+tag)
	return ErrTagDeleteUnsupported
}

func (m *manifestsOnly) DeleteDigest(_ context.Context, repository, digest string) error {
	m.calls = append(m.calls, "digest "+repository+"@"+digest)
	if digest == "sha256:broken" {
		return errors.New("500 Internal Server Error")
	}
	return nil
}

func TestResolveAndApply(t *testing.T) {
	t.Parallel()
	item := func(tag, digest string) Item {
		return Item{Ref: "r/app:" + tag, Repository: "r/app", Tag: tag, Digest: digest}
	}
	inv := Inventory{Digests: map[string][]string{
		"r/app@sha256:a":      {"feature-b", "also-b"}, // both go
		"r/app@sha256:c":      {"old", "latest"},       // latest stays
		"r/app@sha256:broken": {"bad"},
	}}
	decisions := []Decision{
		{Item: item("feature-b", "sha256:a"), Delete: true},
		{Item: item("also-b", "sha256:a"), Delete: true},
		{Item: item("old", "sha256:c"), Delete: true},
		{Item: item("latest", "sha256:c")},
		{Item: item("bad", "sha256:broken"), Delete: true},
	}
	Resolve(inv, decisions)
	if diff := cmp.Diff([]string{"latest"}, decisions[2].SharedWith); diff != "" {
		t.Errorf("shared tags of old (-want +got):\n%s", diff)
	}
	reg := &manifestsOnly{}
	err := Apply(context.Background(), reg, decisions)
	if err == nil || err.Error() != "deleting r/app:bad: 500 Internal Server Error" {
		t.Errorf("Apply error = %v, want the one failure", err)
	}
	want := []string{
		"tag r/app:feature-b", "digest r/app@sha256:a",
		"tag r/app:also-b", "digest r/app@sha256:a", // already gone: not an error
		"tag r/app:old", // kept: latest shares the manifest
		"tag r/app:bad", "digest r/app@sha256:broken",
	}
	if diff := cmp.Diff(want, reg.calls); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"r/app:also-b", "r/app:feature-b"}, Deleted(decisions)); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	if d := decisions[2]; d.Delete || d.Deleted {
		t.Errorf("old was deleted though latest shares its manifest: %+v", d)
	}
	if !decisions[4].Failed {
		t.Errorf("bad is not marked failed: %+v", decisions[4])
	}
}

func TestResolveUnreadRepository(t *testing.T) {
	t.Parallel()
	inv := Inventory{Digests: map[string][]string{"r/app@sha256:a": {"x"}}, Unread: map[string]bool{"r/app": true}}
	decisions := []Decision{{Item: Item{Ref: "r/app:x", Repository: "r/app", Tag: "x", Digest: "sha256:a"}, Delete: true}}
	Resolve(inv, decisions)
	if len(decisions[0].SharedWith) == 0 {
		t.Error("a repository with an unreadable tag allowed a delete by digest")
	}
}
