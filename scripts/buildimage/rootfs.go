package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// rootfs is the files of one layer, by their path in the image (no leading
// slash): what the image needs and nothing else.
type rootfs struct {
	src     string // the extracted packages of one architecture
	entries map[string]entry
}

// entry is one file, directory or symlink of the layer.
type entry struct {
	mode  int64
	link  string // a symlink's target
	data  []byte
	isDir bool
}

func newRootfs(src string) *rootfs { return &rootfs{src: src, entries: map[string]entry{}} }

// dir adds a directory, and its parents.
func (r *rootfs) dir(p string, mode int64) {
	p = strings.Trim(p, "/")
	if p == "" || p == "." {
		return
	}
	r.dir(path.Dir(p), 0o755)
	if _, ok := r.entries[p]; !ok {
		r.entries[p] = entry{mode: mode, isDir: true}
	}
}

// file adds a file with the given content.
func (r *rootfs) file(p string, mode int64, data []byte) {
	p = strings.Trim(p, "/")
	r.dir(path.Dir(p), 0o755)
	r.entries[p] = entry{mode: mode, data: data}
}

// symlink adds a symbolic link.
func (r *rootfs) symlink(p, target string) {
	p = strings.Trim(p, "/")
	r.dir(path.Dir(p), 0o755)
	r.entries[p] = entry{mode: 0o777, link: target}
}

// copy adds the file at p in the extracted packages, following symlinks
// inside them (each link is kept as a link), and returns the real path.
func (r *rootfs) copy(p string) (string, error) {
	p = strings.Trim(p, "/")
	for hops := 0; hops < 16; hops++ {
		dir, err := r.canonicalDir(path.Dir(p))
		if err != nil {
			return "", err
		}
		p = path.Join(dir, path.Base(p))
		full := filepath.Join(r.src, p)
		info, err := os.Lstat(full)
		if err != nil {
			return "", fmt.Errorf("%s is not in the packages: %w", p, err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			data, err := os.ReadFile(full)
			if err != nil {
				return "", err
			}
			r.file(p, int64(info.Mode().Perm()), data)
			return p, nil
		}
		target, err := os.Readlink(full)
		if err != nil {
			return "", err
		}
		r.symlink(p, target)
		p = resolve(path.Dir(p), target)
	}
	return "", fmt.Errorf("%s: too many symbolic links", p)
}

// canonicalDir resolves the directory symlinks of dir inside the packages
// (Debian's /lib -> usr/lib), keeping each as a link in the layer, so that
// files land in their real directory and paths through the links resolve
// in the image too.
func (r *rootfs) canonicalDir(dir string) (string, error) {
	out := "."
	for _, part := range strings.Split(dir, "/") {
		if part == "." || part == "" {
			continue
		}
		next := path.Join(out, part)
		for hops := 0; ; hops++ {
			info, err := os.Lstat(filepath.Join(r.src, next))
			if err != nil || info.Mode()&fs.ModeSymlink == 0 || hops == 16 {
				break
			}
			target, err := os.Readlink(filepath.Join(r.src, next))
			if err != nil {
				return "", err
			}
			r.symlink(next, target)
			next = resolve(path.Dir(next), target)
		}
		out = next
	}
	return out, nil
}

// resolve is a link's target as a path from the root.
func resolve(dir, target string) string {
	if path.IsAbs(target) {
		return strings.Trim(path.Clean(target), "/")
	}
	return path.Join(dir, target)
}

// libDirs are where the dynamic loader finds libraries on Debian.
var libDirs = []string{"lib/%s", "usr/lib/%s", "lib", "usr/lib"}

// copyELF adds an executable with its interpreter and every library it
// needs, transitively, found in the packages.
func (r *rootfs) copyELF(p, triplet string) error {
	queue := []string{p}
	seen := map[string]bool{}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		real, err := r.copy(next)
		if err != nil {
			return err
		}
		if seen[real] {
			continue
		}
		seen[real] = true
		needed, interp, err := elfNeeds(filepath.Join(r.src, real))
		if err != nil {
			return fmt.Errorf("%s: %w", real, err)
		}
		if interp != "" {
			queue = append(queue, interp)
		}
		for _, lib := range needed {
			found, err := r.findLib(lib, triplet)
			if err != nil {
				return fmt.Errorf("%s needs %s: %w", real, lib, err)
			}
			queue = append(queue, found)
		}
	}
	return nil
}

func (r *rootfs) findLib(name, triplet string) (string, error) {
	for _, d := range libDirs {
		if strings.Contains(d, "%s") {
			d = fmt.Sprintf(d, triplet)
		}
		if _, err := os.Stat(filepath.Join(r.src, d, name)); err == nil {
			return path.Join(d, name), nil
		}
	}
	return "", fmt.Errorf("not in any package downloaded (scripts/build-image lists them)")
}

// elfNeeds reads an ELF file's needed libraries and interpreter.
func elfNeeds(file string) (needed []string, interp string, err error) {
	f, err := elf.Open(file)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	if needed, err = f.ImportedLibraries(); err != nil {
		return nil, "", err
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			b := make([]byte, prog.Filesz)
			if _, err := prog.ReadAt(b, 0); err != nil {
				return nil, "", err
			}
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	return needed, interp, nil
}

// tar writes the layer: entries sorted by path, owned by root, all at one
// time, so that the same files always give the same bytes.
func (r *rootfs) tar(mtime time.Time) ([]byte, error) {
	names := make([]string, 0, len(r.entries))
	for n := range r.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		e := r.entries[n]
		h := &tar.Header{Name: n, Mode: e.mode, ModTime: mtime}
		switch {
		case e.isDir:
			h.Typeflag, h.Name = tar.TypeDir, n+"/"
		case e.link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
