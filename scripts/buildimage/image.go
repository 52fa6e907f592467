package main

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

type build struct {
	created           time.Time
	version, revision string
	arches            []archDir
}

type archDir struct{ arch, dir string }

// triplets are Debian's multiarch directories.
var triplets = map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}

// applets are the busybox commands a CI script reaches for.
var applets = []string{"sh", "ash", "cat", "cp", "cut", "echo", "env", "grep", "head", "id", "ls", "mkdir", "mv",
	"printf", "pwd", "rm", "sed", "sleep", "sort", "tail", "tar", "test", "tr", "wc", "[", "true", "false", "uname"}

// write builds every architecture's image and writes the index as an OCI
// archive at out.
func (b build) write(ctx context.Context, out string) error {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, a := range b.arches {
		if err := ctx.Err(); err != nil {
			return err
		}
		img, err := b.image(a)
		if err != nil {
			return fmt.Errorf("%s: %w", a.arch, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: a.arch}}})
	}
	dir, err := os.MkdirTemp("", "buildimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendIndex(idx); err != nil {
		return err
	}
	return tarDir(dir, out, b.created)
}

// image is one architecture's image: a base layer (shell, git, CA
// certificates) and the binary's layer, which alone changes between
// commits.
func (b build) image(a archDir) (v1.Image, error) {
	base, err := baseLayer(filepath.Join(a.dir, "root"), triplets[a.arch], b.created)
	if err != nil {
		return nil, err
	}
	bin := newRootfs(a.dir)
	data, err := os.ReadFile(filepath.Join(a.dir, "shiptag"))
	if err != nil {
		return nil, err
	}
	bin.file("usr/local/bin/shiptag", 0o755, data)
	top, err := layerOf(bin, b.created)
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), base, top)
	if err != nil {
		return nil, err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", a.arch, v1.Time{Time: b.created}
	cf.Config.Entrypoint = []string{"/usr/local/bin/shiptag"}
	cf.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}
	cf.Config.Labels = map[string]string{"org.opencontainers.image.title": "shiptag",
		"org.opencontainers.image.source":  "https://github.com/shiptag/shiptag",
		"org.opencontainers.image.version": b.version, "org.opencontainers.image.revision": b.revision,
		"org.opencontainers.image.created": b.created.Format(time.RFC3339)}
	cf.History = nil
	return mutate.ConfigFile(img, cf)
}

// baseLayer holds busybox as /bin/sh and its applets, git with the
// libraries it loads, the CA bundle, a git config that trusts a workspace
// owned by another user, and a writable /tmp.
func baseLayer(root, triplet string, created time.Time) (v1.Layer, error) {
	r := newRootfs(root)
	if _, err := r.copy("bin/busybox"); err != nil {
		return nil, err
	}
	for _, a := range applets {
		r.symlink("bin/"+a, "busybox")
	}
	for _, exe := range []string{"usr/bin/git", "usr/lib/git-core/git-remote-http"} {
		if err := r.copyELF(exe, triplet); err != nil {
			return nil, err
		}
	}
	r.symlink("usr/lib/git-core/git-remote-https", "git-remote-http")
	bundle, err := caBundle(root)
	if err != nil {
		return nil, err
	}
	r.file("etc/ssl/certs/ca-certificates.crt", 0o644, bundle)
	r.file("etc/gitconfig", 0o644, []byte("# The runner mounts the workspace owned by another user.\n[safe]\n\tdirectory = *\n"))
	r.file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"))
	r.file("etc/group", 0o644, []byte("root:x:0:\nnogroup:x:65534:\n"))
	r.dir("root", 0o700)
	r.entries["tmp"] = entry{mode: 0o1777, isDir: true}
	return layerOf(r, created)
}

// caBundle concatenates Debian's CA certificates in name order, as
// update-ca-certificates would.
func caBundle(root string) ([]byte, error) {
	files, err := filepath.Glob(filepath.Join(root, "usr/share/ca-certificates/mozilla/*.crt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no CA certificates in %s (is ca-certificates downloaded?)", root)
	}
	sort.Strings(files)
	var b bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		b.Write(data)
		if !bytes.HasSuffix(data, []byte("\n")) {
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}

func layerOf(r *rootfs, created time.Time) (v1.Layer, error) {
	data, err := r.tar(created)
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer))
}

// tarDir writes dir as a tar at out, sorted, owned by root, at one time.
func tarDir(dir, out string, mtime time.Time) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dir {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	for _, p := range names {
		if err := addFile(tw, dir, p, mtime); err != nil {
			f.Close()
			return err
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func addFile(tw *tar.Writer, dir, p string, mtime time.Time) error {
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	rel, _ := filepath.Rel(dir, p)
	rel = filepath.ToSlash(rel)
	if info.IsDir() {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: rel + "/", Mode: 0o755, ModTime: mtime})
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rel, Mode: 0o644, Size: info.Size(), ModTime: mtime}); err != nil {
		return err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	_, err = tw.Write(data)
	return err
}
