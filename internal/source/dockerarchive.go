package source

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	a, err := newCheckedArchive(ctx, img)
	if err != nil {
		return Artifact{}, 0, err
	}
	checked, err := partial.CompressedToImage(a)
	return Artifact{Image: checked}, checkWhileHashing, err
}

// checkedArchive is a docker-archive image whose layers check their
// diff_id whenever they are read (see openDockerArchive). It holds one
// go-containerregistry layer per diff_id, so that each compressed digest is
// computed once (go-containerregistry's image makes new layers, and
// computes again, on every call), all of them at once, a core each.
type checkedArchive struct {
	v1.Image
	layers   []v1.Layer // in the config's order
	manifest []byte
}

var _ partial.CompressedImageCore = (*checkedArchive)(nil)

func newCheckedArchive(ctx context.Context, img v1.Image) (*checkedArchive, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	a := &checkedArchive{Image: img, layers: make([]v1.Layer, len(cf.RootFS.DiffIDs))}
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, h := range cf.RootFS.DiffIDs {
		ul, err := checkLayer(ctx, img, h)
		if err != nil {
			return nil, err
		}
		if a.layers[i], err = partial.UncompressedToLayer(ul); err != nil {
			return nil, err
		}
		g.Go(func() error {
			_, err := a.layers[i].Digest()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return a, a.computeManifest()
}

// computeManifest is go-containerregistry's manifest for an image of
// uncompressed layers (partial.UncompressedToImage), from the layers held.
func (a *checkedArchive) computeManifest() error {
	raw, err := a.Image.RawConfigFile()
	if err != nil {
		return err
	}
	h, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.DockerManifestSchema2,
		Config: v1.Descriptor{MediaType: types.DockerConfigJSON, Size: size, Digest: h}, Layers: make([]v1.Descriptor, len(a.layers))}
	for i, l := range a.layers {
		d, err := partial.Descriptor(l)
		if err != nil {
			return err
		}
		m.Layers[i] = *d
	}
	a.manifest, err = json.Marshal(m)
	return err
}

func (a *checkedArchive) MediaType() (types.MediaType, error) {
	return types.DockerManifestSchema2, nil
}
func (a *checkedArchive) RawManifest() ([]byte, error) { return a.manifest, nil }

// LayerByDigest is one of the layers held, or the config.
func (a *checkedArchive) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if cn, err := a.Image.ConfigName(); err == nil && cn == h {
		return partial.ConfigLayer(a.Image)
	}
	for _, l := range a.layers {
		if d, err := l.Digest(); err == nil && d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("could not find layer in image: %s", h)
}

// checkLayer wraps go-containerregistry's layer for diff_id h. A foreign
// layer keeps its descriptor (its media type and URLs); the others have
// none, as in go-containerregistry, whose manifest depends on it.
func checkLayer(ctx context.Context, img v1.Image, h v1.Hash) (partial.UncompressedLayer, error) {
	l, err := img.LayerByDiffID(h)
	if err != nil {
		return nil, err
	}
	mt, err := l.MediaType()
	if err != nil {
		return nil, err
	}
	checked := &checkedLayer{inner: l, diffID: h, ctx: ctx}
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
