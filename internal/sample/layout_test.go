package sample

import (
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/shiptag/shiptag/internal/source"
)

// TestWriteLayouts checks that sample layouts round-trip through the oci:
// source, single images and indexes alike.
func TestWriteLayouts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var layers []v1.Layer
	for i := uint64(1); i <= 7; i++ {
		l, err := Layer(i, 100_000)
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
	}
	backend, _ := Image("linux/amd64", layers[:5]...)
	frontend, _ := Image("linux/amd64", append(append([]v1.Layer{}, layers[:3]...), layers[5:]...)...)
	arm, _ := Image("linux/arm64", layers[:3]...)
	idx, err := Index(backend, arm)
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]source.Artifact{"backend": {Image: backend}, "frontend": {Image: frontend}, "multi": {Index: idx}} {
		if err := WriteLayout(filepath.Join(dir, name), a); err != nil {
			t.Fatal(err)
		}
		got, err := source.Open(t.Context(), source.Source{Transport: source.OCI, Path: filepath.Join(dir, name)}, source.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := a.Digest()
		if d, _ := got.Digest(); d != want {
			t.Errorf("%s: layout gives %s, want %s", name, d, want)
		}
	}
}
