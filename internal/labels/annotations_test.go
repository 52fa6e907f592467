package labels

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func TestParseAnnotations(t *testing.T) {
	t.Parallel()
	got, err := ParseAnnotations([]string{
		"manifest:org.opencontainers.image.version=1.2.3", "index:org.opencontainers.image.version=1.2.3",
		"manifest-descriptor:a=b", "index-descriptor:c=d", "plain=value", "url=https://x.example/a=b",
		"vendor:key=v", // not a level: the whole of it is a manifest key
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Annotations{
		Manifest:           map[string]string{"org.opencontainers.image.version": "1.2.3", "plain": "value", "url": "https://x.example/a=b", "vendor:key": "v"},
		Index:              map[string]string{"org.opencontainers.image.version": "1.2.3"},
		ManifestDescriptor: map[string]string{"a": "b"},
		IndexDescriptor:    map[string]string{"c": "d"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"manifest:novalue", "index:=v", "novalue"} {
		if _, err := ParseAnnotations([]string{bad}); err == nil || !strings.Contains(err.Error(), "[LEVEL:]KEY=VALUE") {
			t.Errorf("ParseAnnotations(%q) error = %v", bad, err)
		}
	}
}

// TestApplyAnnotations places each level where buildx puts it: manifest on
// every platform image (never an attestation), manifest-descriptor on their
// index entries, index on the index; the attestation still points at its
// relabelled image, and nothing to place leaves the digest alone.
func TestApplyAnnotations(t *testing.T) {
	t.Parallel()
	amd, arm := sampleImage(t, "linux/amd64", 1, 2), sampleImage(t, "linux/arm64/v8", 1, 3)
	idx, err := sample.Index(amd, arm)
	if err != nil {
		t.Fatal(err)
	}
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: sampleImage(t, "unknown/unknown", 9), Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{refTypeAnnotation: "attestation-manifest", refDigestAnnotation: digest(t, amd).String()},
	}})
	anns := Annotations{Manifest: map[string]string{"m": "1"}, Index: map[string]string{"i": "2"}, ManifestDescriptor: map[string]string{"d": "3"}}
	out, err := Apply(source.Artifact{Index: idx}, fixed(nil), anns)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := out.Index.IndexManifest()
	if im.Annotations["i"] != "2" {
		t.Errorf("index annotations %v, want i=2", im.Annotations)
	}
	for i, d := range im.Manifests {
		child, _ := out.Index.Image(d.Digest)
		m, _ := child.Manifest()
		platformImage := i < 2
		if got := m.Annotations["m"] == "1"; got != platformImage {
			t.Errorf("entry %d: manifest annotated=%v, want %v", i, got, platformImage)
		}
		if got := d.Annotations["d"] == "3"; got != platformImage {
			t.Errorf("entry %d: descriptor annotated=%v, want %v", i, got, platformImage)
		}
	}
	if got, want := im.Manifests[2].Annotations[refDigestAnnotation], im.Manifests[0].Digest.String(); got != want {
		t.Errorf("attestation points at %s, want the annotated amd64 image %s", got, want)
	}

	single, err := Apply(source.Artifact{Image: amd}, fixed(nil), anns)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := single.Image.Manifest(); m.Annotations["m"] != "1" {
		t.Errorf("single image manifest annotations %v, want m=1", m.Annotations)
	}
	again, err := Apply(single, fixed(nil), Annotations{Manifest: map[string]string{"m": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if d1, d2 := digest(t, single.Image), digest(t, again.Image); d1 != d2 {
		t.Errorf("annotations already there changed the digest: %s → %s", d1, d2)
	}
	unchanged, err := Apply(source.Artifact{Index: idx}, fixed(nil), Annotations{})
	if err != nil {
		t.Fatal(err)
	}
	if d1, _ := idx.Digest(); func() bool { d2, _ := unchanged.Index.Digest(); return d1 != d2 }() {
		t.Error("no labels and no annotations changed the index digest")
	}
}
