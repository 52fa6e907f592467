// Package stages builds an image's stages, werf's distributed build cache:
// stage k is the image made of its first k layers, with the config's
// rootfs.diff_ids and history cut to match, so that a build host without
// local state can start from the longest stage it shares. A stage's
// signature depends only on its layers, so images that share a prefix of
// layers share those stages.
package stages

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/source"
)

// TagPrefix starts every stage's tag: image-stage-<signature>.
const TagPrefix = "image-stage-"

// Stage is one prefix of an image's layers, as an image of its own.
type Stage struct {
	Signature string
	Layers    int
	Image     v1.Image
}

// Tag is the stage's tag in the images repo.
func (s Stage) Tag() string { return TagPrefix + s.Signature }

// Signature is the lowercase hex SHA-256 of the diffIDs joined by "\n".
func Signature(diffIDs []v1.Hash) string {
	parts := make([]string, len(diffIDs))
	for i, d := range diffIDs {
		parts[i] = d.String()
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:])
}

// Of returns the stages of img, one per layer, shortest first. Each keeps
// the image's config but for the cut rootfs and history, with werf's labels
// replaced by werf-image=false and werf-stage-signature. The last stage has
// every layer and all of the history.
func Of(img v1.Image) ([]Stage, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	base, err := baseOf(img)
	if err != nil {
		return nil, err
	}
	out := make([]Stage, 0, len(layers))
	for k := 1; k <= len(layers); k++ {
		s, err := stage(base, cf, layers[:k], k == len(layers))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// baseOf is an empty image with img's manifest and config media types.
func baseOf(img v1.Image) (v1.Image, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, m.MediaType), m.Config.MediaType), nil
}

func stage(base v1.Image, cf *v1.ConfigFile, layers []v1.Layer, last bool) (Stage, error) {
	k := len(layers)
	cut := cf.DeepCopy()
	cut.RootFS.DiffIDs = cut.RootFS.DiffIDs[:k]
	cut.History = cutHistory(cf.History, k, last)
	if cut.Config.Labels == nil {
		cut.Config.Labels = map[string]string{}
	}
	labels.Clean(cut.Config.Labels)
	sig := Signature(cut.RootFS.DiffIDs)
	cut.Config.Labels[labels.KeyImage] = "false"
	cut.Config.Labels[labels.KeyStageSignature] = sig
	img, err := mutate.AppendLayers(base, layers...)
	if err != nil {
		return Stage{}, err
	}
	if img, err = mutate.ConfigFile(img, cut); err != nil {
		return Stage{}, err
	}
	return Stage{Signature: sig, Layers: k, Image: img}, nil
}

// cutHistory keeps the history up to the k-th entry that made a layer,
// with the empty-layer entries before it (they belong to the layer that
// follows them); the last stage keeps everything.
func cutHistory(h []v1.History, k int, last bool) []v1.History {
	if last || len(h) == 0 {
		return append([]v1.History(nil), h...)
	}
	seen := 0
	for i, e := range h {
		if !e.EmptyLayer {
			seen++
			if seen == k {
				return append([]v1.History(nil), h[:i+1]...)
			}
		}
	}
	return append([]v1.History(nil), h...)
}

// OfArtifact returns the stages of every image in a (every platform of an
// index; attestations are not built layers and have none), each signature
// once, in order.
func OfArtifact(a source.Artifact) ([]Stage, error) {
	var out []Stage
	seen := map[string]bool{}
	err := source.EachImage(a, func(d v1.Descriptor, img v1.Image) error {
		if d.Annotations["vnd.docker.reference.type"] != "" {
			return nil // an attestation manifest (BuildKit's), not a platform
		}
		st, err := Of(img)
		if err != nil {
			return err
		}
		for _, s := range st {
			if !seen[s.Signature] {
				seen[s.Signature] = true
				out = append(out, s)
			}
		}
		return nil
	})
	return out, err
}
