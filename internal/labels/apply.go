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

// Editor changes an image's config labels in place; created is the image's
// creation time, which some labels record.
type Editor func(labels map[string]string, created time.Time)

// Docker's buildx writes attestations as index entries that point at the
// image they describe by digest; relabelling changes that digest.
const (
	refTypeAnnotation   = "vnd.docker.reference.type"
	refDigestAnnotation = "vnd.docker.reference.digest"
)

// Unchanged reports whether Apply, with mode's editor for img and with
// anns, would return every artifact as it is: no label to set, no
// annotation to place. A publish then need not read an image's config
// before it asks the registry anything (a registry source's is a round trip).
func Unchanged(mode Mode, img Image, anns Annotations) bool {
	return mode == None && len(img.User) == 0 && len(anns.Manifest) == 0 && len(anns.Index) == 0 && len(anns.ManifestDescriptor) == 0
}

// Apply returns a with every image config's labels edited and anns placed
// by level. An index stays an index: every platform image is relabelled,
// platforms and annotations are kept, and attestations (which get neither
// labels nor annotations) are re-pointed at the relabelled images. What the
// edit and anns leave unchanged is returned as it was, digest and all.
func Apply(a source.Artifact, edit Editor, anns Annotations) (source.Artifact, error) {
	if a.Image != nil {
		img, _, err := relabel(a.Image, edit, anns.Manifest)
		return source.Artifact{Image: img}, err
	}
	idx, err := relabelIndex(a.Index, edit, anns)
	return source.Artifact{Index: idx}, err
}

// relabel edits img's labels, lays manifest annotations over its own, and
// reports whether anything changed.
func relabel(img v1.Image, edit Editor, manifestAnns map[string]string) (v1.Image, bool, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, false, err
	}
	cfg := *cf.Config.DeepCopy()
	if cfg.Labels == nil {
		cfg.Labels = map[string]string{}
	}
	edit(cfg.Labels, cf.Created.Time)
	out, changed := img, false
	if !maps.Equal(cfg.Labels, cf.Config.Labels) { // nil and empty are equal
		if out, err = mutate.Config(img, cfg); err != nil {
			return nil, false, err
		}
		changed = true
	}
	if len(manifestAnns) > 0 {
		m, err := img.Manifest()
		if err != nil {
			return nil, false, err
		}
		if want := merged(m.Annotations, manifestAnns); !maps.Equal(want, m.Annotations) {
			out, changed = mutate.Annotations(out, manifestAnns).(v1.Image), true
		}
	}
	return out, changed, nil
}

func relabelIndex(idx v1.ImageIndex, edit Editor, anns Annotations) (v1.ImageIndex, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	moved := map[string]string{} // old image digest → new, for what changed
	adds := make([]mutate.IndexAddendum, len(im.Manifests))
	for pass := 0; pass < 2; pass++ { // images first, then what refers to them
		for i, d := range im.Manifests {
			if (d.Annotations[refTypeAnnotation] != "") != (pass == 1) {
				continue
			}
			add, err := relabelChild(idx, d, edit, anns, moved)
			if err != nil {
				return nil, fmt.Errorf("platform %s: %w", platformName(d), err)
			}
			adds[i] = add
		}
	}
	indexAnns := merged(im.Annotations, anns.Index)
	if len(moved) == 0 && !childIndexChanged(im, adds) && maps.Equal(indexAnns, im.Annotations) && !descriptorsChanged(im, adds) {
		return idx, nil
	}
	mt := im.MediaType
	if mt == "" { // the OCI spec makes it optional; registries want one
		mt = types.OCIImageIndex
	}
	base := mutate.IndexMediaType(empty.Index, mt)
	if len(indexAnns) > 0 {
		base = mutate.Annotations(base, indexAnns).(v1.ImageIndex)
	}
	return mutate.AppendManifests(base, adds...), nil
}

// relabelChild relabels one index entry, keeping its descriptor's platform
// and annotations (plus the manifest-descriptor ones for an image).
// Attestations keep their content; their pointer follows the image it
// describes.
func relabelChild(idx v1.ImageIndex, d v1.Descriptor, edit Editor, anns Annotations, moved map[string]string) (mutate.IndexAddendum, error) {
	desc := v1.Descriptor{MediaType: d.MediaType, Platform: d.Platform, Annotations: maps.Clone(d.Annotations)}
	switch {
	case d.MediaType.IsIndex():
		child, err := idx.ImageIndex(d.Digest)
		if err == nil {
			child, err = relabelIndex(child, edit, anns)
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
	desc.Annotations = merged(desc.Annotations, anns.ManifestDescriptor)
	out, changed, err := relabel(img, edit, anns.Manifest)
	if err != nil || !changed {
		return mutate.IndexAddendum{Add: out, Descriptor: desc}, err
	}
	h, err := out.Digest()
	if err != nil {
		return mutate.IndexAddendum{}, err
	}
	moved[d.Digest.String()] = h.String()
	return mutate.IndexAddendum{Add: out, Descriptor: desc}, nil
}

// descriptorsChanged reports whether an entry's annotations were added to.
func descriptorsChanged(im *v1.IndexManifest, adds []mutate.IndexAddendum) bool {
	for i, d := range im.Manifests {
		if !maps.Equal(adds[i].Descriptor.Annotations, d.Annotations) {
			return true
		}
	}
	return false
}

// childIndexChanged reports whether a nested index came back as a new one.
func childIndexChanged(im *v1.IndexManifest, adds []mutate.IndexAddendum) bool {
	for i, d := range im.Manifests {
		if !d.MediaType.IsIndex() {
			continue
		}
		if h, err := adds[i].Add.Digest(); err != nil || h != d.Digest {
			return true
		}
	}
	return false
}

func platformName(d v1.Descriptor) string {
	if p := d.Platform; p != nil {
		return p.String()
	}
	return d.Digest.String()
}
