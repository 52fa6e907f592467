package publish

import (
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/source"
)

// blob is one distinct blob of a registry and every repository needing it.
type blob struct {
	digest v1.Hash
	size   int64
	layer  v1.Layer
	home   name.Repository   // the first repository that needs it: uploaded there
	others []name.Repository // mounted from home into these
	image  string            // the image it is counted under in progress
	// source is where the blob already is, on the same registry (a layer
	// of an image read from there): home mounts it from there. Empty for
	// none.
	source string
	// present is set for a blob of an image read from home itself: the
	// manifest it was read by is there and names it, so it is neither
	// asked about nor sent (its only source is that same repository).
	present bool
}

// collectBlobs lists the distinct blobs (layers and configs) of all targets,
// per registry, in target order.
func collectBlobs(targets []Target) ([]blob, error) {
	type key struct {
		registry string
		digest   v1.Hash
	}
	index := map[key]int{}
	var blobs []blob
	listed := map[v1.Hash][]v1.Layer{} // artifact digest → its blobs: tags of one image share them
	for _, t := range targets {
		repo := t.Ref.Context()
		layers, err := listedBlobs(t.Artifact, listed)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", t.Ref, err)
		}
		for _, l := range layers {
			d, err := l.Digest()
			if err != nil {
				return nil, err
			}
			k := key{repo.RegistryStr(), d}
			i, seen := index[k]
			if !seen {
				size, err := l.Size()
				if err != nil {
					return nil, err
				}
				index[k] = len(blobs)
				source, present := origin(l, repo)
				blobs = append(blobs, blob{digest: d, size: size, layer: l, home: repo, image: t.Image, source: source, present: present})
				continue
			}
			if b := &blobs[i]; b.home != repo && !slices.Contains(b.others, repo) {
				b.others = append(b.others, repo)
			}
		}
	}
	return blobs, nil
}

// listedBlobs is ArtifactBlobs of a, listed once per artifact digest: a
// source's layers and config are read again on every call, and every tag
// of an image is a target of its own.
func listedBlobs(a source.Artifact, listed map[v1.Hash][]v1.Layer) ([]v1.Layer, error) {
	d, err := a.Digest()
	if err != nil {
		return nil, err
	}
	if layers, ok := listed[d]; ok {
		return layers, nil
	}
	layers, err := ArtifactBlobs(a)
	if err == nil {
		listed[d] = layers
	}
	return layers, err
}

// ArtifactBlobs lists the distributable layers and the configs of every
// image in a, child images of an index included: what publishing must send.
func ArtifactBlobs(a source.Artifact) ([]v1.Layer, error) {
	var out []v1.Layer
	err := source.EachImage(a, func(_ v1.Descriptor, img v1.Image) error {
		ls, err := imageBlobs(img)
		out = append(out, ls...)
		return err
	})
	return out, err
}

func imageBlobs(img v1.Image) ([]v1.Layer, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var out []v1.Layer
	for _, l := range layers {
		mt, err := l.MediaType()
		if err != nil {
			return nil, err
		}
		if mt.IsDistributable() {
			out = append(out, l)
		}
	}
	cl, err := partial.ConfigLayer(img)
	if err != nil {
		return nil, err
	}
	return append(out, cl), nil
}

// origin is where l was read from, seen from home: source is the
// repository of home's registry it can be mounted from, if any, and
// present is set when it was read from home itself.
func origin(l v1.Layer, home name.Repository) (source string, present bool) {
	ml, ok := l.(*remote.MountableLayer)
	if !ok {
		return "", false
	}
	from := ml.Reference.Context()
	switch {
	case from == home:
		return "", true
	case from.RegistryStr() != home.RegistryStr():
		return "", false
	}
	return from.RepositoryStr(), false
}
