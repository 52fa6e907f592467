package source

import (
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"golang.org/x/sync/errgroup"
)

// memoIndex is an index read from a registry that reads each of its
// children once. go-containerregistry's remote index fetches a child's
// manifest again on every Image or ImageIndex call, and the child it
// returns reads its config again too; a publish walks a source's images
// several times (the checks, the blobs, the writes), one child after the
// other, so a promoted index of four platforms cost a round trip per child
// and walk. The children it hands out are go-containerregistry's own, which
// keep what they read.
type memoIndex struct {
	indexRead
	mu      sync.Mutex
	images  map[v1.Hash]func() (v1.Image, error)
	indexes map[v1.Hash]func() (v1.ImageIndex, error)
}

// indexRead is the wrapped index; the alias names the embedded field,
// whose own ImageIndex method memoIndex overrides.
type indexRead = v1.ImageIndex

// memoized wraps idx when every child is an image or an index, the
// children a publish walks; an index naming anything else (an artifact's
// blob, say) is left as it is, for go-containerregistry to write whole.
func memoized(idx v1.ImageIndex) v1.ImageIndex {
	im, err := idx.IndexManifest()
	if err != nil {
		return idx
	}
	for _, d := range im.Manifests {
		if !d.MediaType.IsImage() && !d.MediaType.IsIndex() {
			return idx
		}
	}
	return &memoIndex{indexRead: idx, images: map[v1.Hash]func() (v1.Image, error){}, indexes: map[v1.Hash]func() (v1.ImageIndex, error){}}
}

// Image is the child image h, read once.
func (m *memoIndex) Image(h v1.Hash) (v1.Image, error) {
	m.mu.Lock()
	get, ok := m.images[h]
	if !ok {
		get = sync.OnceValues(func() (v1.Image, error) { return m.indexRead.Image(h) })
		m.images[h] = get
	}
	m.mu.Unlock()
	return get()
}

// ImageIndex is the child index h, read once, its own children likewise.
func (m *memoIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	m.mu.Lock()
	get, ok := m.indexes[h]
	if !ok {
		get = sync.OnceValues(func() (v1.ImageIndex, error) {
			child, err := m.indexRead.ImageIndex(h)
			if err != nil {
				return nil, err
			}
			return memoized(child), nil
		})
		m.indexes[h] = get
	}
	m.mu.Unlock()
	return get()
}

// Descriptor is the source's own descriptor (with its platform and
// annotations, where the registry gave them), as the wrapped index says.
func (m *memoIndex) Descriptor() (*v1.Descriptor, error) {
	return partial.Descriptor(m.indexRead)
}

// prefetch reads every child's manifest and config, jobs at a time, so that
// the sequential walks after it find them read; a failure is left for the
// walk that meets it to report, with its context.
func prefetch(idx v1.ImageIndex, jobs int) {
	g := new(errgroup.Group)
	g.SetLimit(max(jobs, 1))
	var walk func(v1.ImageIndex)
	walk = func(idx v1.ImageIndex) {
		im, err := idx.IndexManifest()
		if err != nil {
			return
		}
		for _, d := range im.Manifests {
			switch {
			case d.MediaType.IsImage():
				g.Go(func() error {
					if img, err := idx.Image(d.Digest); err == nil {
						_, _ = img.RawConfigFile()
					}
					return nil
				})
			case d.MediaType.IsIndex():
				if child, err := idx.ImageIndex(d.Digest); err == nil {
					walk(child)
				}
			}
		}
	}
	walk(idx)
	_ = g.Wait()
}
