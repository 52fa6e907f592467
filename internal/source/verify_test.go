package source_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// TestVerifyLocalBlobs: a layout whose layer is corrupt (same size, other
// bytes), truncated or missing fails to open, naming the layer and the fix,
// in the directory form and as an archive.
func TestVerifyLocalBlobs(t *testing.T) {
	t.Parallel()
	img := testImage(t, 7)
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	for _, tc := range []struct {
		name string
		harm func(path string) error
		want string
	}{
		{"corrupt", func(p string) error {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			data[len(data)/2] ^= 0xff
			return os.WriteFile(p, data, 0o644)
		}, "layer 1 has digest sha256:"},
		{"truncated", func(p string) error { return os.Truncate(p, 10) }, "layer 1 (" + ld.String() + ") is 10 bytes, but its manifest records"},
		{"missing", os.Remove, "layer 1 (" + ld.String() + ") cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "layout")
			if err := sample.WriteLayout(dir, source.Artifact{Image: img}); err != nil {
				t.Fatal(err)
			}
			if err := tc.harm(filepath.Join(dir, "blobs", ld.Algorithm, ld.Hex)); err != nil {
				t.Fatal(err)
			}
			archive := dir + ".tar"
			tarDir(t, dir, archive)
			for _, s := range []string{"oci:" + dir, "oci-archive:" + archive} {
				_, err := open(t, s, source.Options{})
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: err = %v, want one containing %q", s, err, tc.want)
				}
			}
		})
	}
}
