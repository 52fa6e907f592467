package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// hashers is how many blobs verify reads at once: at most jobs, and one
// fewer than the CPUs (one at least). Hashing is CPU work, and it runs
// while the registry is read and the uploads are opened: with a goroutine
// hashing on every CPU, the ones waiting on those requests wait for a
// turn, 50 ms at a time on two cores (measured, the push checks of a seed
// on the link model), and more goroutines than CPUs hash no faster.
func hashers(jobs int) int {
	return max(min(jobs, runtime.GOMAXPROCS(0)-1), 1)
}

// verify reads every blob of a local artifact once, streamed, and checks it
// against what its manifest records: the config's and each layer's digest
// and size (for a docker-archive, whose manifest is computed from the
// layers, each layer against the config's diff_ids). A source that would
// fail during the upload fails here, before anything is pushed. Blobs that
// several images share are read once; jobs are read at a time.
func verify(ctx context.Context, a Artifact, jobs int, mode checkMode) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	var mu sync.Mutex
	seen := map[v1.Hash]bool{}
	first := func(h v1.Hash) bool {
		mu.Lock()
		defer mu.Unlock()
		if seen[h] {
			return false
		}
		seen[h] = true
		return true
	}
	err := EachImage(a, func(_ v1.Descriptor, img v1.Image) error {
		blobs, err := imageBlobs(img, mode)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			if first(b.want.Digest) {
				g.Go(func() error { return b.check(gctx) })
			}
		}
		return nil
	})
	if werr := g.Wait(); err == nil {
		err = werr
	}
	return err
}

// checkMode is how a local source's layers are checked.
type checkMode int

const (
	// checkStored compares each blob's bytes with its manifest's digest
	// and size (an OCI layout).
	checkStored checkMode = iota
	// checkDiffIDs compares each layer's uncompressed bytes with the
	// config's diff_id (a docker-archive whose manifest is computed).
	checkDiffIDs
	// checkWhileHashing computes each layer's compressed digest, in a read
	// that checks its diff_id (see openDockerArchive).
	checkWhileHashing
)

// blob is one blob to read and what it must be.
type blob struct {
	what string
	want v1.Descriptor // Digest, and Size when known (-1: not recorded)
	open func() (io.ReadCloser, error)
	// digest, if set, is the check: a docker-archive layer computes its
	// compressed digest in a read that checks its diff_id on the way (see
	// openDockerArchive), the read the publish needs anyway.
	digest func() (v1.Hash, error)
}

// imageBlobs lists an image's config and distributable layers.
func imageBlobs(img v1.Image, mode checkMode) ([]blob, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	blobs := []blob{{what: "config", want: m.Config, open: func() (io.ReadCloser, error) {
		raw, err := img.RawConfigFile()
		return io.NopCloser(bytes.NewReader(raw)), err
	}}}
	for i, d := range m.Layers {
		if !d.MediaType.IsDistributable() {
			continue // a foreign layer: never uploaded
		}
		layer, err := img.LayerByDigest(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("layer %d (%s): %w", i+1, d.Digest, err)
		}
		b := blob{what: fmt.Sprintf("layer %d", i+1), want: d, open: layer.Compressed}
		switch {
		case mode == checkWhileHashing:
			b.digest = layer.Digest
		case mode == checkDiffIDs && i < len(cf.RootFS.DiffIDs):
			b.want, b.open = v1.Descriptor{Digest: cf.RootFS.DiffIDs[i], Size: -1}, layer.Uncompressed
		}
		blobs = append(blobs, b)
	}
	return blobs, nil
}

// check streams the blob through SHA-256 and compares.
func (b blob) check(ctx context.Context) error {
	if b.digest != nil {
		if _, err := b.digest(); err != nil {
			return fmt.Errorf("%s %w", b.what, err)
		}
		return nil
	}
	rc, err := b.open()
	if err != nil {
		return fmt.Errorf("%s (%s) cannot be read: %w", b.what, b.want.Digest, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, &ctxReader{ctx: ctx, r: rc})
	if err != nil {
		return fmt.Errorf("%s (%s) cannot be read: %w", b.what, b.want.Digest, err)
	}
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	switch {
	case b.want.Digest.Algorithm != "sha256":
		return nil // nothing here to compare with
	case b.want.Size >= 0 && n != b.want.Size:
		return fmt.Errorf("%s (%s) is %d bytes, but its manifest records %d: the source is truncated or corrupt; rebuild or re-export it",
			b.what, b.want.Digest, n, b.want.Size)
	case got != b.want.Digest:
		return fmt.Errorf("%s has digest %s, but its manifest records %s: the source is corrupt; rebuild or re-export it",
			b.what, got, b.want.Digest)
	}
	return nil
}

// ctxReader ends a long read when ctx does (a signal).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads unless ctx is done.
func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
