package source_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// TestVerifyLocalBlobs: a layout whose layer is corrupt (same size, other
// bytes), truncated or missing fails to open, naming the layer and the fix,
// in the directory form and as an archive; with the check deferred, the
// source opens and the check fails alike when it runs.
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
				// Deferred, the source opens, and the check fails later, the
				// same way, as an --image input error naming the image.
				var later source.Deferred
				images := []source.Named{{Label: "backend", Specs: []string{s}}}
				if _, err := source.OpenAll(context.Background(), images, source.Options{TempDir: t.TempDir(), Defer: &later}, ""); err != nil {
					t.Fatalf("%s: opening with the check deferred: %v", s, err)
				}
				err = later.Run(context.Background())
				var input *inputs.Error
				if !errors.As(err, &input) || input.Input != inputs.Name("image") || !strings.Contains(err.Error(), "backend: verifying") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s deferred: err = %v, want an --image error about backend containing %q", s, err, tc.want)
				}
			}
		})
	}
}
