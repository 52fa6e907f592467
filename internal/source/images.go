package source

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// EachImage calls fn with every image of a, depth first in manifest order:
// a itself when it is an image, else every image an index names, child
// indexes included. desc is the image's entry in its index (zero for a
// single image), so a caller can tell platforms from attestations; an error
// about an index's image names it. Checking,
// publishing and stages all need the images of an artifact; this is the one
// walk over its indexes.
func EachImage(a Artifact, fn func(desc v1.Descriptor, img v1.Image) error) error {
	if a.Image != nil {
		return fn(v1.Descriptor{}, a.Image)
	}
	im, err := a.Index.IndexManifest()
	if err != nil {
		return err
	}
	for _, d := range im.Manifests {
		switch {
		case d.MediaType.IsImage():
			img, err := a.Index.Image(d.Digest)
			if err == nil {
				err = fn(d, img)
			}
			if err != nil {
				return fmt.Errorf("platform image %s: %w", d.Digest, err)
			}
		case d.MediaType.IsIndex():
			child, err := a.Index.ImageIndex(d.Digest)
			if err != nil {
				return err
			}
			if err := EachImage(Artifact{Index: child}, fn); err != nil {
				return err
			}
		}
	}
	return nil
}
