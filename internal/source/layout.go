package source

import (
	"context"
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// refNameAnnotation names an image in an OCI layout's index.json.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// openLayout opens the image or index of an OCI image layout directory, as
// written by `docker buildx build --output type=oci,tar=false` or skopeo. With
// more than one entry in index.json, ref picks one by its ref.name annotation.
func openLayout(dir, ref string) (Artifact, error) {
	root, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return Artifact{}, fmt.Errorf("not an OCI image layout (want %s/index.json): %w", dir, err)
	}
	return pick(root, ref, "oci:"+dir)
}

// openOCIArchive opens a tar of an OCI layout in place (see tarLayout).
func openOCIArchive(ctx context.Context, s Source) (Artifact, error) {
	t, err := indexTar(ctx, s.Path)
	if err != nil {
		return Artifact{}, err
	}
	root, err := t.root()
	if err != nil {
		return Artifact{}, err
	}
	return pick(root, s.Ref, "oci-archive:"+s.Path)
}

// pick is the one entry of a layout's index.json that ref names (by its
// ref.name annotation), or its only entry when ref is empty. spec is the
// source without a ref, for the error that asks for one.
func pick(root v1.ImageIndex, ref, spec string) (Artifact, error) {
	im, err := root.IndexManifest()
	if err != nil {
		return Artifact{}, err
	}
	var picked []v1.Descriptor
	var names []string
	for _, d := range im.Manifests {
		n := d.Annotations[refNameAnnotation]
		names = append(names, fmt.Sprintf("%q", n))
		if ref == "" || n == ref {
			picked = append(picked, d)
		}
	}
	switch {
	case len(picked) == 0 && ref != "":
		return Artifact{}, fmt.Errorf("no image named %q in the layout; it has %s", ref, strings.Join(names, ", "))
	case len(picked) == 0:
		return Artifact{}, errors.New("the layout holds no image")
	case len(picked) > 1:
		return Artifact{}, fmt.Errorf("the layout holds %d images (%s): name one as %s:NAME", len(picked), strings.Join(names, ", "), spec)
	}
	d := picked[0]
	if d.MediaType.IsIndex() {
		idx, err := root.ImageIndex(d.Digest)
		return Artifact{Index: idx}, err
	}
	img, err := root.Image(d.Digest)
	return Artifact{Image: img}, err
}
