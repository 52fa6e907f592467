package source_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// TestOpenAllKeepsImageOrder: sources open at once, yet what comes back is
// in image order: the first image's failure, whichever fails first; and
// sources opened with their checks deferred come back, checks and all.
func TestOpenAllKeepsImageOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := sample.WriteLayout(good, source.Artifact{Image: testImage(t, 3)}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		images := []source.Named{
			{Label: "a", Specs: []string{"oci:" + good}},
			{Label: "b", Specs: []string{"oci:" + filepath.Join(dir, "missing-b")}},
			{Label: "c", Specs: []string{"oci:" + filepath.Join(dir, "missing-c")}},
		}
		_, err := source.OpenAll(context.Background(), images, source.Options{TempDir: t.TempDir(), Jobs: 3}, "")
		if err == nil || !strings.Contains(err.Error(), "missing-b") {
			t.Fatalf("err = %v, want image b's", err)
		}
	}
	var later source.Deferred
	images := []source.Named{{Label: "a", Specs: []string{"oci:" + good}}, {Label: "b", Specs: []string{"oci:" + good}}}
	artifacts, err := source.OpenAll(context.Background(), images, source.Options{TempDir: t.TempDir(), Jobs: 2, Defer: &later}, "")
	if err != nil || len(artifacts) != 2 || artifacts[0].Image == nil || artifacts[1].Image == nil {
		t.Fatalf("opening two good sources: %v, %d artifacts", err, len(artifacts))
	}
	if err := later.Run(context.Background()); err != nil {
		t.Errorf("verifying two good sources: %v", err)
	}
}

// TestOpenAllRegistrySourceReadsLater: a registry source reads its layers
// when they are sent, after OpenAll returned, with the context it was
// opened with, which must still be live then.
func TestOpenAllRegistrySourceReadsLater(t *testing.T) {
	t.Parallel()
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	ref, _ := name.NewTag(reg.Host + "/src/app:1")
	if err := remote.Write(ref, testImage(t, 4)); err != nil {
		t.Fatal(err)
	}
	images := []source.Named{{Label: "app", Specs: []string{"docker://" + ref.String()}}}
	artifacts, err := source.OpenAll(context.Background(), images, source.Options{Keychain: authn.NewMultiKeychain(), Jobs: 2}, "")
	if err != nil {
		t.Fatal(err)
	}
	layers, err := artifacts[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layers[0].Compressed()
	if err == nil {
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
	}
	if err != nil {
		t.Errorf("reading a layer after opening: %v", err)
	}
}
