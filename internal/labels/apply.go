package labels

import (
	"fmt"
	"maps"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/shiptag/shiptag/internal/source"
)

// Labeler returns the labels for an image created at the given time.
type Labeler func(created time.Time) map[string]string

// Docker's buildx writes attestations as index entries that point at the
// image they describe by digest; relabelling changes that digest.
const (
	refTypeAnnotation   = "vnd.docker.reference.type"
	refDigestAnnotation = "vnd.docker.reference.digest"
)

// Apply returns a with labels set in every image config. An index stays an
// index: every platform image is relabelled, platforms and annotations are
// kept, and attestations are re-pointed at the relabelled images. With no
// labels to set, a is returned unchanged, digest and all.
func Apply(a source.Artifact, labeler Labeler) (source.Artifact, error) {
	if len(labeler(time.Time{})) == 0 {
		return a, nil
	}
	if a.Image != nil {
		img, err := relabel(a.Image, labeler)
		return source.Artifact{Image: img}, err
	}
	idx, err := relabelIndex(a.Index, labeler)
	return source.Artifact{Index: idx}, err
}

func relabel(img v1.Image, labeler Labeler) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg := *cf.Config.DeepCopy()
	if cfg.Labels == nil {
		cfg.Labels = map[string]string{}
	}
	maps.Copy(cfg.Labels, labeler(cf.Created.Time))
	return mutate.Config(img, cfg)
}

func relabelIndex(idx v1.ImageIndex, labeler Labeler) (v1.ImageIndex, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	moved := map[string]string{} // old image digest → new
	adds := make([]mutate.IndexAddendum, len(im.Manifests))
	for pass := 0; pass < 2; pass++ { // images first, then what refers to them
		for i, d := range im.Manifests {
			if (d.Annotations[refTypeAnnotation] != "") != (pass == 1) {
				continue
			}
			add, err := relabelChild(idx, d, labeler, moved)
			if err != nil {
				return nil, fmt.Errorf("platform %s: %w", platformName(d), err)
			}
			adds[i] = add
		}
	}
	mt := im.MediaType
	if mt == "" { // the OCI spec makes it optional; registries want one
		mt = types.OCIImageIndex
	}
	base := mutate.IndexMediaType(empty.Index, mt)
	if len(im.Annotations) > 0 {
		base = mutate.Annotations(base, im.Annotations).(v1.ImageIndex)
	}
	return mutate.AppendManifests(base, adds...), nil
}

// relabelChild relabels one index entry, keeping its descriptor's platform
// and annotations. Attestations keep their content; their pointer follows
// the image it describes.
func relabelChild(idx v1.ImageIndex, d v1.Descriptor, labeler Labeler, moved map[string]string) (mutate.IndexAddendum, error) {
	desc := v1.Descriptor{MediaType: d.MediaType, Platform: d.Platform, Annotations: maps.Clone(d.Annotations)}
	switch {
	case d.MediaType.IsIndex():
		child, err := idx.ImageIndex(d.Digest)
		if err == nil {
			child, err = relabelIndex(child, labeler)
		}
		return mutate.IndexAddendum{Add: child, Descriptor: desc}, err
	case !d.MediaType.IsImage():
		return mutate.IndexAddendum{}, fmt.Errorf("unsupported index entry of type %s", d.MediaType)
	}
	img, err := idx.Image(d.Digest)
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	if d.Annotations[refTypeAnnotation] != "" {
		if to, ok := moved[d.Annotations[refDigestAnnotation]]; ok {
			desc.Annotations[refDigestAnnotation] = to
		}
		return mutate.IndexAddendum{Add: img, Descriptor: desc}, nil
	}
	out, err := relabel(img, labeler)
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	h, err := out.Digest()
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	moved[d.Digest.String()] = h.String()
	return mutate.IndexAddendum{Add: out, Descriptor: desc}, nil
}

func platformName(d v1.Descriptor) string {
	if d.Platform == nil {
		return d.Digest.String()
	}
	return d.Platform.String()
}
