package source_test

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func writeDockerSave(t *testing.T, img v1.Image, file string, harm func([]byte)) {
	t.Helper()
	if err := sample.WriteDockerSave(img, file, "app:1.0", harm); err != nil {
		t.Fatal(err)
	}
}

// TestDockerSaveUncompressed: an archive with uncompressed layers opens to
// the image go-containerregistry reads from it (the same manifest digest),
// with each layer checked against its diff_id in the read that computes its
// compressed digest; a corrupt layer fails there, naming it and the fix.
func TestDockerSaveUncompressed(t *testing.T) {
	t.Parallel()
	img := testImage(t, 9)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.tar"), filepath.Join(dir, "bad.tar")
	writeDockerSave(t, img, good, nil)
	writeDockerSave(t, img, bad, func(b []byte) { b[len(b)/2] ^= 0xff })
	a, err := open(t, "docker-archive:"+good, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := tarball.ImageFromPath(good, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := plain.Digest()
	sameDigest(t, a, want)
	layers, _ := a.Image.Layers()
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	var sent bytes.Buffer
	if _, err := io.Copy(&sent, rc); err != nil {
		t.Fatalf("reading the layer to send: %v", err)
	}
	if int64(sent.Len()) != mustSize(t, layers[0]) {
		t.Errorf("the layer's bytes to send (%d) are not its size (%d)", sent.Len(), mustSize(t, layers[0]))
	}
	_, err = open(t, "docker-archive:"+bad, source.Options{})
	if err == nil || !strings.Contains(err.Error(), "a layer reads as diff_id sha256:") || !strings.Contains(err.Error(), "the source is corrupt; rebuild or re-export it") {
		t.Errorf("a corrupt layer: %v", err)
	}
}

func mustSize(t *testing.T, l v1.Layer) int64 {
	t.Helper()
	n, err := l.Size()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
