package source

import (
	"fmt"
	"maps"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// attestationType marks buildx's attestation manifests in an index; they
// point at the image they describe by digest.
const attestationType = "vnd.docker.reference.type"

// Merge makes one multi-platform image of several sources of one image, as
// per-platform builds on separate runners produce: every platform image of
// every source (indexes flattened) in one index, in the order given, each
// source's attestations beside the platform they describe. Images keep
// their digests, so the attestations still point at them. Two sources that
// give the same platform are an error naming both.
func Merge(specs []string, parts []Artifact) (Artifact, error) {
	var adds []mutate.IndexAddendum
	owner := map[string]string{} // platform → the source that gave it
	oci := false
	for i, a := range parts {
		err := EachImage(a, func(d v1.Descriptor, img v1.Image) error {
			desc, err := mergedDescriptor(d, img)
			if err != nil {
				return err
			}
			oci = oci || desc.MediaType == types.OCIManifestSchema1
			if desc.Annotations[attestationType] == "" {
				p := desc.Platform.String()
				if prev, taken := owner[p]; taken {
					return fmt.Errorf("platform %s is in both %q and %q: give each platform one source", p, prev, specs[i])
				}
				owner[p] = specs[i]
			}
			adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: desc})
			return nil
		})
		if err != nil {
			return Artifact{}, fmt.Errorf("merging %q: %w", specs[i], err)
		}
	}
	mt := types.DockerManifestList
	if oci {
		mt = types.OCIImageIndex
	}
	return Artifact{Index: mutate.AppendManifests(mutate.IndexMediaType(empty.Index, mt), adds...)}, nil
}

// mergedDescriptor is an image's entry in the merged index: its descriptor
// in its own index, or, for a single image, its media type and the platform
// its config names.
func mergedDescriptor(d v1.Descriptor, img v1.Image) (v1.Descriptor, error) {
	mt, err := img.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	desc := v1.Descriptor{MediaType: mt, Platform: d.Platform, Annotations: maps.Clone(d.Annotations)}
	if desc.Platform == nil {
		cf, err := img.ConfigFile()
		if err != nil {
			return v1.Descriptor{}, err
		}
		desc.Platform = cf.Platform()
		if desc.Platform == nil || desc.Platform.OS == "" || desc.Platform.Architecture == "" {
			return v1.Descriptor{}, fmt.Errorf("an image whose config names no os and architecture cannot be merged by platform")
		}
	}
	return desc, nil
}
