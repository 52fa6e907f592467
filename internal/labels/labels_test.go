package labels

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func TestSet(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	epoch := time.Unix(1700000000, 0).UTC()
	img := Image{Name: "backend", Revision: "abc", SourceURL: "https://gitlab.example.com/web/core"}
	tag := &Tag{Tag: "core-feature-add-settings-c3fd80df", Strategy: "git-branch", Ref: "registry.hello.com/web/core/system/backend:core-feature-add-settings-c3fd80df"}
	shared := map[string]string{
		"werf-image": "true", "werf-image-name": "backend", "werf-image-version": "1",
		"org.opencontainers.image.revision": "abc", "org.opencontainers.image.source": "https://gitlab.example.com/web/core",
		"org.opencontainers.image.created": "2026-01-02T03:04:05Z",
	}
	perTag := map[string]string{
		"werf-image-tag": tag.Tag, "werf-tag-strategy": "git-branch", "werf-docker-image-name": tag.Ref,
	}
	for k, v := range shared {
		perTag[k] = v
	}
	tests := []struct {
		name string
		mode Mode
		img  Image
		want map[string]string
	}{
		{"per-tag: every label", PerTag, img, perTag},
		{"shared: only tag-independent labels", Shared, img, shared},
		{"none: nothing", None, img, map[string]string{}},
		{"none keeps user labels", None, Image{User: []Pair{{"team", "core"}}}, map[string]string{"team": "core"}},
		{"user labels come last and win", Shared, Image{Name: "x", User: []Pair{{"a", "1"}, {"a", "2"}, {"werf-image-version", "9"}}},
			map[string]string{"werf-image": "true", "werf-image-name": "x", "werf-image-version": "9", "a": "2",
				"org.opencontainers.image.created": "2026-01-02T03:04:05Z"}},
		{"SOURCE_DATE_EPOCH wins over the source's time", Shared, Image{Created: &epoch},
			map[string]string{"werf-image": "true", "werf-image-name": "", "werf-image-version": "1",
				"org.opencontainers.image.created": "2023-11-14T22:13:20Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, Set(tc.mode, tc.img, tag, created)); diff != "" {
				t.Errorf("labels mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	got, err := ParsePairs([]string{"a=1", "b==2", " c =", "d=x=y"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"a", "1"}, {"b", "=2"}, {"c", ""}, {"d", "x=y"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pairs mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"novalue", "=v", "  =v"} {
		if _, err := ParsePairs([]string{bad}); err == nil || !strings.Contains(err.Error(), "KEY=VALUE") {
			t.Errorf("ParsePairs(%q) error = %v", bad, err)
		}
	}
	if _, err := ParseMode("all"); err == nil {
		t.Error("ParseMode(all) accepted")
	}
}

func sampleImage(t *testing.T, platform string, seeds ...uint64) v1.Image {
	t.Helper()
	var ls []v1.Layer
	for _, s := range seeds {
		l, err := sample.Layer(s, 1000)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	img, err := sample.Image(platform, ls...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func fixed(l map[string]string) Editor {
	return func(dst map[string]string, _ time.Time) { maps.Copy(dst, l) }
}

func TestApplyImage(t *testing.T) {
	t.Parallel()
	img := sampleImage(t, "linux/amd64", 1, 2)
	a, err := Apply(source.Artifact{Image: img}, fixed(map[string]string{"werf-image": "true"}), Annotations{})
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := a.Image.ConfigFile()
	if diff := cmp.Diff(map[string]string{"org.example.sample": "true", "werf-image": "true"}, cf.Config.Labels); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(layerDigests(t, img), layerDigests(t, a.Image)); diff != "" {
		t.Errorf("layers changed (-want +got):\n%s", diff)
	}
	// No labels: the very same image, digest and all.
	same, err := Apply(source.Artifact{Image: img}, fixed(nil), Annotations{})
	if err != nil {
		t.Fatal(err)
	}
	if d1, d2 := digest(t, img), digest(t, same.Image); d1 != d2 {
		t.Errorf("unlabelled digest %s, want the source's %s", d2, d1)
	}
}

func TestApplyIndex(t *testing.T) {
	t.Parallel()
	amd, arm := sampleImage(t, "linux/amd64", 1, 2), sampleImage(t, "linux/arm64/v8", 1, 3)
	attestation := sampleImage(t, "unknown/unknown", 9)
	idx, err := sample.Index(amd, arm)
	if err != nil {
		t.Fatal(err)
	}
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: attestation, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{refTypeAnnotation: "attestation-manifest", refDigestAnnotation: digest(t, amd).String()},
	}})
	idx = mutate.Annotations(idx, map[string]string{"org.opencontainers.image.title": "demo"}).(v1.ImageIndex)

	out, err := Apply(source.Artifact{Index: idx}, fixed(map[string]string{"werf-image": "true"}), Annotations{})
	if err != nil {
		t.Fatal(err)
	}
	im, _ := out.Index.IndexManifest()
	orig, _ := idx.IndexManifest()
	if im.MediaType != orig.MediaType || im.Annotations["org.opencontainers.image.title"] != "demo" {
		t.Errorf("index lost its media type or annotations: %+v", im)
	}
	if len(im.Manifests) != 3 {
		t.Fatalf("index has %d entries, want 3", len(im.Manifests))
	}
	for i, d := range im.Manifests {
		if diff := cmp.Diff(orig.Manifests[i].Platform, d.Platform); diff != "" {
			t.Errorf("entry %d platform changed (-want +got):\n%s", i, diff)
		}
		child, _ := out.Index.Image(d.Digest)
		cf, _ := child.ConfigFile()
		labelled := cf.Config.Labels["werf-image"] == "true"
		if isAttestation := i == 2; labelled == isAttestation {
			t.Errorf("entry %d: labelled=%v, want the platform images labelled and the attestation not", i, labelled)
		}
	}
	if got, want := im.Manifests[2].Annotations[refDigestAnnotation], im.Manifests[0].Digest.String(); got != want {
		t.Errorf("attestation points at %s, want the relabelled amd64 image %s", got, want)
	}
	if im.Manifests[0].Digest == orig.Manifests[0].Digest {
		t.Error("amd64 image digest did not change")
	}
}

func layerDigests(t *testing.T, img v1.Image) []v1.Hash {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var out []v1.Hash
	for _, l := range ls {
		d, _ := l.Digest()
		out = append(out, d)
	}
	return out
}

func digest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestEditorDropsInheritedMeta: a source built FROM a werf stage, or
// promoted from an earlier publish, carries werf labels that describe its
// ancestor. Per-tag and shared publishes describe themselves only; none
// keeps the source as it is, but for the user's labels.
func TestEditorDropsInheritedMeta(t *testing.T) {
	t.Parallel()
	inherited := map[string]string{
		"org.example.keep":       "yes",
		KeyStageSignature:        "abc",
		KeyImage:                 "false",
		KeyTagStrategy:           "git-branch",
		KeyImageTag:              "feature-x",
		KeyDockerImageName:       "r.example/app:feature-x",
		"werf-something-of-werf": "1",
	}
	img := Image{Name: "app", User: []Pair{{"team", "core"}}}
	tag := &Tag{Tag: "release", Strategy: "custom", Ref: "r.example/app:release"}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		mode Mode
		want map[string]string
	}{
		{"per-tag", PerTag, map[string]string{"org.example.keep": "yes", "team": "core", KeyImage: "true", KeyImageName: "app",
			"werf-image-version": "1", KeyCreated: "2026-01-02T03:04:05Z", KeyImageTag: "release", KeyTagStrategy: "custom",
			KeyDockerImageName: "r.example/app:release"}},
		{"shared", Shared, map[string]string{"org.example.keep": "yes", "team": "core", KeyImage: "true", KeyImageName: "app",
			"werf-image-version": "1", KeyCreated: "2026-01-02T03:04:05Z"}},
		{"none", None, map[string]string{"org.example.keep": "yes", "team": "core", KeyStageSignature: "abc", KeyImage: "false",
			KeyTagStrategy: "git-branch", KeyImageTag: "feature-x", KeyDockerImageName: "r.example/app:feature-x",
			"werf-something-of-werf": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := maps.Clone(inherited)
			tc.mode.Editor(img, tag)(got, created)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("labels mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnchanged: whenever Unchanged says so, Apply with that mode's editor
// returns the source as it is (digest and all), over modes, user labels,
// inherited werf labels and annotations at each level.
func TestUnchanged(t *testing.T) {
	t.Parallel()
	plain := sampleImage(t, "linux/amd64", 1, 2)
	inherited, err := mutate.Config(plain, v1.Config{Labels: map[string]string{KeyImage: "true", KeyImageName: "old"}})
	if err != nil {
		t.Fatal(err)
	}
	one := map[string]string{"org.example.k": "v"}
	tests := []struct {
		name string
		mode Mode
		user []Pair
		anns Annotations
		want bool
	}{
		{"none, nothing to add", None, nil, Annotations{}, true},
		{"none, only an index-descriptor annotation (reported, not placed)", None, nil, Annotations{IndexDescriptor: one}, true},
		{"none with a user label", None, []Pair{{Key: "a", Value: "b"}}, Annotations{}, false},
		{"none with a manifest annotation", None, nil, Annotations{Manifest: one}, false},
		{"none with an index annotation", None, nil, Annotations{Index: one}, false},
		{"none with a manifest-descriptor annotation", None, nil, Annotations{ManifestDescriptor: one}, false},
		{"shared", Shared, nil, Annotations{}, false},
		{"per-tag", PerTag, nil, Annotations{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			info := Image{Name: "app", User: tc.user}
			if got := Unchanged(tc.mode, info, tc.anns); got != tc.want {
				t.Fatalf("Unchanged = %v, want %v", got, tc.want)
			}
			if !tc.want {
				return
			}
			for _, img := range []v1.Image{plain, inherited} {
				a, err := Apply(source.Artifact{Image: img}, tc.mode.Editor(info, &Tag{Tag: "v1", Strategy: "custom", Ref: "r/app:v1"}), tc.anns)
				if err != nil {
					t.Fatal(err)
				}
				if d1, d2 := digest(t, img), digest(t, a.Image); d1 != d2 {
					t.Errorf("Apply changed the digest %s to %s, though Unchanged said it would not", d1, d2)
				}
			}
		})
	}
}
