package publish

import (
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"

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
	for _, t := range targets {
		repo := t.Ref.Context()
		layers, err := ArtifactBlobs(t.Artifact)
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
				blobs = append(blobs, blob{digest: d, size: size, layer: l, home: repo, image: t.Image})
				continue
			}
			if b := &blobs[i]; b.home != repo && !slices.Contains(b.others, repo) {
				b.others = append(b.others, repo)
			}
		}
	}
	return blobs, nil
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
