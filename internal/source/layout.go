package source

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/google/go-containerregistry/pkg/name"
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
		return Artifact{}, fmt.Errorf("the layout holds %d images (%s): name one as oci:%s:NAME", len(picked), strings.Join(names, ", "), dir)
	}
	d := picked[0]
	if d.MediaType.IsIndex() {
		idx, err := root.ImageIndex(d.Digest)
		return Artifact{Index: idx}, err
	}
	img, err := root.Image(d.Digest)
	return Artifact{Image: img}, err
}

// openOCIArchive unpacks a tar of an OCI layout into tempDir and opens it.
func openOCIArchive(ctx context.Context, s Source, tempDir string) (Artifact, error) {
	dir, err := os.MkdirTemp(tempDir, "oci-archive-")
	if err != nil {
		return Artifact{}, err
	}
	if err := untar(ctx, s.Path, dir); err != nil {
		return Artifact{}, err
	}
	return openLayout(dir, s.Ref)
}

// untar extracts the regular files and directories of a tar file into dir,
// refusing entries that would land outside it.
func untar(ctx context.Context, file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(&ctxReader{ctx: ctx, r: f})
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", file, err)
		}
		target := filepath.Join(dir, filepath.Clean("/"+h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			err = writeFile(target, tr)
		}
		if err != nil {
			return err
		}
	}
}

func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// openDockerArchive opens a `docker save` tarball; ref picks one image when it
// holds several.
func openDockerArchive(file, ref string) (Artifact, error) {
	var tag *name.Tag
	if ref != "" {
		t, err := name.NewTag(ref)
		if err != nil {
			return Artifact{}, fmt.Errorf("image %q: %w", ref, err)
		}
		tag = &t
	}
	img, err := tarball.ImageFromPath(file, tag)
	if err != nil {
		return Artifact{}, err
	}
	return Artifact{Image: img}, nil
}
