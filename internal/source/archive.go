package source

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// tarLayout is an OCI image layout read in place from a tar: one pass over
// its headers records where each file's bytes lie, and every blob is then
// read from there, straight from the archive. Unpacking it first needed as
// much free space in TMPDIR as the archive, and a copy of every byte.
type tarLayout struct {
	file  *os.File
	name  string
	files map[string]tarFile // path in the layout ("blobs/sha256/…") → its bytes
}

type tarFile struct{ offset, size int64 }

// indexTar reads the headers of the tar at file. A file stored sparse, or
// compressed (a .tar.gz), cannot be read in place and is refused with the
// way out.
func indexTar(ctx context.Context, file string) (*tarLayout, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	t := &tarLayout{file: f, name: file, files: map[string]tarFile{}}
	tr := tar.NewReader(&ctxSeeker{ctx: ctx, ReadSeeker: f})
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("reading %s as a tar (an OCI layout archive, uncompressed, as buildx --output type=oci writes it): %w", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if isSparse(h) {
			f.Close()
			return nil, fmt.Errorf("%s stores %s sparse, which cannot be read in place: unpack it and use oci:DIR", file, h.Name)
		}
		offset, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			f.Close()
			return nil, err
		}
		t.files[path.Clean(strings.TrimLeft(h.Name, "/"))] = tarFile{offset: offset, size: h.Size}
	}
}

func isSparse(h *tar.Header) bool {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// open reads the file at p in the layout.
func (t *tarLayout) open(p string) (io.ReadCloser, error) {
	tf, ok := t.files[p]
	if !ok {
		return nil, fmt.Errorf("%s holds no %s: %w", t.name, p, os.ErrNotExist)
	}
	return io.NopCloser(io.NewSectionReader(t.file, tf.offset, tf.size)), nil
}

func (t *tarLayout) bytes(p string) ([]byte, error) {
	rc, err := t.open(p)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(rc)
}

func blobPath(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// root is the layout's index.json.
func (t *tarLayout) root() (*tarIndex, error) {
	if _, ok := t.files["oci-layout"]; !ok {
		return nil, fmt.Errorf("%s is not an OCI image layout archive: it has no oci-layout file", t.name)
	}
	raw, err := t.bytes("index.json")
	if err != nil {
		return nil, err
	}
	return &tarIndex{layout: t, mediaType: types.OCIImageIndex, raw: raw}, nil
}

// tarIndex is an index of a tarLayout (index.json, or one it names).
type tarIndex struct {
	layout    *tarLayout
	mediaType types.MediaType
	raw       []byte
}

var _ v1.ImageIndex = (*tarIndex)(nil)

func (i *tarIndex) MediaType() (types.MediaType, error) { return i.mediaType, nil }
func (i *tarIndex) Digest() (v1.Hash, error)            { return partial.Digest(i) }
func (i *tarIndex) Size() (int64, error)                { return int64(len(i.raw)), nil }
func (i *tarIndex) RawManifest() ([]byte, error)        { return i.raw, nil }

func (i *tarIndex) IndexManifest() (*v1.IndexManifest, error) {
	return v1.ParseIndexManifest(bytes.NewReader(i.raw))
}

// find is the entry of the index for h.
func (i *tarIndex) find(h v1.Hash) (v1.Descriptor, error) {
	im, err := i.IndexManifest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	for _, d := range im.Manifests {
		if d.Digest == h {
			return d, nil
		}
	}
	return v1.Descriptor{}, fmt.Errorf("could not find descriptor in index: %s", h)
}

func (i *tarIndex) Image(h v1.Hash) (v1.Image, error) {
	mt, raw, err := i.child(h, types.MediaType.IsImage)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&tarImage{layout: i.layout, mediaType: mt, raw: raw})
}

func (i *tarIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	mt, raw, err := i.child(h, types.MediaType.IsIndex)
	if err != nil {
		return nil, err
	}
	return &tarIndex{layout: i.layout, mediaType: mt, raw: raw}, nil
}

// child is the media type and manifest of the entry for h, which must be
// of the kind is says.
func (i *tarIndex) child(h v1.Hash, is func(types.MediaType) bool) (types.MediaType, []byte, error) {
	d, err := i.find(h)
	if err != nil {
		return "", nil, err
	}
	if !is(d.MediaType) {
		return "", nil, fmt.Errorf("unexpected media type for %v: %s", h, d.MediaType)
	}
	raw, err := i.layout.bytes(blobPath(h))
	return d.MediaType, raw, err
}

// tarImage is an image of a tarLayout, its blobs read from the archive.
type tarImage struct {
	layout    *tarLayout
	mediaType types.MediaType
	raw       []byte
}

var _ partial.CompressedImageCore = (*tarImage)(nil)

func (im *tarImage) MediaType() (types.MediaType, error) { return im.mediaType, nil }
func (im *tarImage) RawManifest() ([]byte, error)        { return im.raw, nil }

func (im *tarImage) RawConfigFile() ([]byte, error) {
	m, err := partial.Manifest(im)
	if err != nil {
		return nil, err
	}
	return im.layout.bytes(blobPath(m.Config.Digest))
}

func (im *tarImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	m, err := partial.Manifest(im)
	if err != nil {
		return nil, err
	}
	if h == m.Config.Digest {
		return &tarBlob{layout: im.layout, desc: m.Config}, nil
	}
	for _, d := range m.Layers {
		if d.Digest == h {
			return &tarBlob{layout: im.layout, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("could not find layer in image: %s", h)
}

// tarBlob is a layer or config of a tarImage.
type tarBlob struct {
	layout *tarLayout
	desc   v1.Descriptor
}

func (b *tarBlob) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b *tarBlob) Size() (int64, error)                { return b.desc.Size, nil }
func (b *tarBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }
func (b *tarBlob) Descriptor() (*v1.Descriptor, error) { return &b.desc, nil }
func (b *tarBlob) Compressed() (io.ReadCloser, error)  { return b.layout.open(blobPath(b.desc.Digest)) }

// ctxSeeker ends a long read of the archive's headers when ctx does.
type ctxSeeker struct {
	ctx context.Context
	io.ReadSeeker
}

func (c *ctxSeeker) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.ReadSeeker.Read(p)
}
