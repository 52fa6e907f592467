package main

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCopyKeepsLinks: a file reached through Debian's /lib -> usr/lib and a
// versioned library symlink lands in the layer with both links, and the
// layer's bytes depend only on its files.
func TestCopyKeepsLinks(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(src, "usr/lib/x86_64-linux-gnu"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "usr/lib/x86_64-linux-gnu/libz.so.1.2.13"), []byte("lib"), 0o644))
	must(t, os.Symlink("libz.so.1.2.13", filepath.Join(src, "usr/lib/x86_64-linux-gnu/libz.so.1")))
	must(t, os.Symlink("usr/lib", filepath.Join(src, "lib")))
	r := newRootfs(src)
	real, err := r.copy("lib/x86_64-linux-gnu/libz.so.1")
	if err != nil {
		t.Fatal(err)
	}
	if real != "usr/lib/x86_64-linux-gnu/libz.so.1.2.13" {
		t.Errorf("real path %q", real)
	}
	when := time.Unix(1700000000, 0)
	one, err := r.tar(when)
	if err != nil {
		t.Fatal(err)
	}
	two, _ := r.tar(when)
	if !bytes.Equal(one, two) {
		t.Error("two tars of the same files differ")
	}
	var got []string
	tr := tar.NewReader(bytes.NewReader(one))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(when) {
			t.Errorf("%s: owner %d:%d, time %v", h.Name, h.Uid, h.Gid, h.ModTime)
		}
		got = append(got, h.Name+" "+h.Linkname)
	}
	want := []string{"lib usr/lib", "usr/ ", "usr/lib/ ", "usr/lib/x86_64-linux-gnu/ ",
		"usr/lib/x86_64-linux-gnu/libz.so.1 libz.so.1.2.13", "usr/lib/x86_64-linux-gnu/libz.so.1.2.13 "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layer entries (-want +got):\n%s", diff)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
