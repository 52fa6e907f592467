package source_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

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
