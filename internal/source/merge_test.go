package source_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func platformImage(t *testing.T, platform string, seed uint64) v1.Image {
	t.Helper()
	l, err := sample.Layer(seed, 2000)
	if err != nil {
		t.Fatal(err)
	}
	img, err := sample.Image(platform, l)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// entries lists an index's entries as "PLATFORM DIGEST", attestations with
// what they point at.
func entries(t *testing.T, idx v1.ImageIndex) []string {
	t.Helper()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range im.Manifests {
		e := d.Platform.String() + " " + d.Digest.String()
		if ref := d.Annotations["vnd.docker.reference.digest"]; ref != "" {
			e += " -> " + ref
		}
		out = append(out, e)
	}
	return out
}

// TestMerge: per-platform sources become one index of them all, images
// untouched (same digests), an index's platforms and attestations carried
// over, and a platform given twice refused with both sources named.
func TestMerge(t *testing.T) {
	t.Parallel()
	amd, arm, s390x := platformImage(t, "linux/amd64", 1), platformImage(t, "linux/arm64/v8", 2), platformImage(t, "linux/s390x", 3)
	d := func(img v1.Image) string { h, _ := img.Digest(); return h.String() }

	merged, err := source.Merge([]string{"oci:amd64", "oci:arm64"}, []source.Artifact{{Image: amd}, {Image: arm}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"linux/amd64 " + d(amd), "linux/arm64/v8 " + d(arm)}, entries(t, merged.Index)); diff != "" {
		t.Errorf("two single images (-want +got):\n%s", diff)
	}
	if mt, _ := merged.Index.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("media type %s, want an OCI index for OCI images", mt)
	}

	// An index with an attestation, plus a single image.
	attestation := platformImage(t, "unknown/unknown", 9)
	idx, err := sample.Index(amd, arm)
	if err != nil {
		t.Fatal(err)
	}
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: attestation, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": d(amd)},
	}})
	merged, err = source.Merge([]string{"oci:multi", "docker://r.example.com/app@sha256:s390x"}, []source.Artifact{{Index: idx}, {Image: s390x}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"linux/amd64 " + d(amd), "linux/arm64/v8 " + d(arm), "unknown/unknown " + d(attestation) + " -> " + d(amd), "linux/s390x " + d(s390x)}
	if diff := cmp.Diff(want, entries(t, merged.Index)); diff != "" {
		t.Errorf("an index and an image (-want +got):\n%s", diff)
	}

	_, err = source.Merge([]string{"oci:a", "oci:b"}, []source.Artifact{{Index: idx}, {Image: platformImage(t, "linux/arm64/v8", 4)}})
	if err == nil || !strings.Contains(err.Error(), `platform linux/arm64/v8 is in both "oci:a" and "oci:b"`) {
		t.Errorf("a platform twice: %v", err)
	}
}
