package publish

import (
	"fmt"

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
			if b := &blobs[i]; b.home != repo && !contains(b.others, repo) {
				b.others = append(b.others, repo)
			}
		}
	}
	return blobs, nil
}

func contains(repos []name.Repository, r name.Repository) bool {
	for _, x := range repos {
		if x == r {
			return true
		}
	}
	return false
}

// ArtifactBlobs lists the distributable layers and the configs of every
// image in a, child images of an index included: what publishing must send.
func ArtifactBlobs(a source.Artifact) ([]v1.Layer, error) {
	if a.Image != nil {
		return imageBlobs(a.Image)
	}
	im, err := a.Index.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []v1.Layer
	for _, d := range im.Manifests {
		var child source.Artifact
		switch {
		case d.MediaType.IsImage():
			child.Image, err = a.Index.Image(d.Digest)
		case d.MediaType.IsIndex():
			child.Index, err = a.Index.ImageIndex(d.Digest)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		ls, err := ArtifactBlobs(child)
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
	}
	return out, nil
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
