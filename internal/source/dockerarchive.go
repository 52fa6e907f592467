package source

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// openDockerArchive opens a `docker save` tarball; ref picks one image when
// it holds several. Its layers are stored uncompressed, and what is
// published is their gzip: each layer is read twice, and compressed twice,
// the fewest without a temporary copy of its compressed bytes. The first
// pass computes the compressed digest and size (which the manifest needs
// before anything is sent, and which say whether the registry has the
// layer) and checks the layer against the config's diff_id on the way; the
// second is the upload, for layers the registry lacks. go-containerregistry
// alone reads a layer once more, for the check.
// It returns how the layers are to be checked.
func openDockerArchive(ctx context.Context, file, ref string) (Artifact, checkMode, error) {
	var tag *name.Tag
	if ref != "" {
		t, err := name.NewTag(ref)
		if err != nil {
			return Artifact{}, 0, fmt.Errorf("image %q: %w", ref, err)
		}
		tag = &t
	}
	img, err := tarball.ImageFromPath(file, tag)
	if err != nil {
		return Artifact{}, 0, err
	}
	if compressed, err := layersCompressed(file); err != nil || compressed {
		return Artifact{Image: img}, checkDiffIDs, err // compressed in the archive: published as they are
	}
	checked, err := partial.UncompressedToImage(&checkedArchive{Image: img, ctx: ctx})
	if err != nil {
		return Artifact{}, 0, err
	}
	return Artifact{Image: checked}, checkWhileHashing, hashLayers(ctx, checked)
}

// hashLayers computes every layer's compressed digest, a core per layer at
// a time: the manifest needs them all, and would compute them one after
// another.
func hashLayers(ctx context.Context, img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, l := range layers {
		g.Go(func() error {
			_, err := l.Digest()
			return err
		})
	}
	return g.Wait()
}

// checkedArchive is a docker-archive image whose layers check their
// diff_id whenever they are read (see openDockerArchive).
type checkedArchive struct {
	v1.Image
	ctx context.Context
}

var _ partial.UncompressedImageCore = (*checkedArchive)(nil)

// LayerByDiffID wraps go-containerregistry's layer. A foreign layer keeps
// its descriptor (its media type and URLs); the others have none, as in
// go-containerregistry, whose manifest computation depends on it.
func (c *checkedArchive) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	l, err := c.Image.LayerByDiffID(h)
	if err != nil {
		return nil, err
	}
	mt, err := l.MediaType()
	if err != nil {
		return nil, err
	}
	checked := &checkedLayer{inner: l, diffID: h, ctx: c.ctx}
	if !mt.IsDistributable() {
		desc, err := partial.Descriptor(l)
		if err != nil {
			return nil, err
		}
		return &checkedForeignLayer{checkedLayer: checked, desc: *desc}, nil
	}
	return checked, nil
}

type checkedLayer struct {
	inner  v1.Layer
	diffID v1.Hash
	ctx    context.Context
}

func (l *checkedLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

func (l *checkedLayer) MediaType() (types.MediaType, error) { return l.inner.MediaType() }

// Uncompressed reads the layer, and fails at its end if its bytes are not
// the ones the config names.
func (l *checkedLayer) Uncompressed() (io.ReadCloser, error) {
	rc, err := l.inner.Uncompressed()
	if err != nil {
		return nil, err
	}
	return &diffIDReader{ReadCloser: rc, want: l.diffID, sum: sha256.New(), ctx: l.ctx}, nil
}

type checkedForeignLayer struct {
	*checkedLayer
	desc v1.Descriptor
}

func (l *checkedForeignLayer) Descriptor() (*v1.Descriptor, error) { return &l.desc, nil }

// diffIDReader hashes what it reads and, at the end, compares.
type diffIDReader struct {
	io.ReadCloser
	want v1.Hash
	sum  hash.Hash
	ctx  context.Context
}

func (r *diffIDReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.ReadCloser.Read(p)
	r.sum.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(r.sum.Sum(nil)); got != r.want.Hex {
			return n, fmt.Errorf("a layer reads as diff_id sha256:%s, but the image config records %s: the source is corrupt; rebuild or re-export it", got, r.want)
		}
	}
	return n, err
}

// layersCompressed reports whether the archive stores its layers
// compressed (gzip or zstd, as go-containerregistry tells them apart: by
// the first layer's first bytes), in which case they are published as they
// are and read once for the check.
func layersCompressed(file string) (bool, error) {
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(file) })
	if err != nil || len(m) == 0 || len(m[0].Layers) == 0 {
		return false, err
	}
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	want := path.Clean(m[0].Layers[0])
	for links := 0; links < 10; links++ { // docker save may link one layer file to another
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return false, err
		}
		h, tr, err := findEntry(f, want)
		if err != nil {
			return false, fmt.Errorf("reading %s: %w", file, err)
		}
		if h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink {
			want = path.Clean(path.Join(path.Dir(want), h.Linkname))
			if h.Typeflag == tar.TypeLink {
				want = path.Clean(h.Linkname)
			}
			continue
		}
		head := make([]byte, 4)
		n, _ := io.ReadFull(tr, head)
		return bytes.HasPrefix(head[:n], []byte{0x1f, 0x8b}) || bytes.HasPrefix(head[:n], []byte{0x28, 0xb5, 0x2f, 0xfd}), nil
	}
	return false, fmt.Errorf("reading %s: %s links on and on", file, m[0].Layers[0])
}

// findEntry reads r as a tar up to the entry named want.
func findEntry(r io.Reader, want string) (*tar.Header, *tar.Reader, error) {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, nil, fmt.Errorf("looking for %s: %w", want, err)
		}
		if path.Clean(h.Name) == want {
			return h, tr, nil
		}
	}
}
