package publish

import (
	"context"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// writeIndex writes an index after every image manifest of the run: first
// the manifests it names, each by its digest and once in the run (a nested
// index after what it names), then the index under its tag. A registry
// checks an index's platform manifests when it is written, and
// distribution's filesystem storage rewrites a manifest's link in place
// when the same manifest is written again (under another tag): an index
// written meanwhile can find that link empty and be refused. Measured: one
// export in seven failed so before this ordering. The blobs are in place
// already, so nothing is asked first (go-containerregistry's Push asks
// about each manifest and blob again: four round trips more). An index
// naming anything but images and indexes is pushed as go-containerregistry
// pushes it.
func (s *schedule) writeIndex(ctx context.Context, t Target, images *sync.WaitGroup) error {
	if err := s.awaitBlobs(ctx, t); err != nil {
		return err
	}
	images.Wait()
	idx := t.Artifact.Index
	if !onlyImagesAndIndexes(idx) {
		_, err := withSlot(ctx, s.slots, func() (struct{}, error) { return struct{}{}, s.pusher.Push(ctx, t.Ref, idx) })
		return err
	}
	if err := s.writeChildren(ctx, t.Ref.Context(), idx); err != nil {
		return err
	}
	_, err := withSlot(ctx, s.small, func() (struct{}, error) { return struct{}{}, s.pusher.Put(ctx, t.Ref, idx) })
	return err
}

// writeChildren writes what idx names into repo, by digest, at once.
func (s *schedule) writeChildren(ctx context.Context, repo name.Repository, idx v1.ImageIndex) error {
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, d := range im.Manifests {
		g.Go(func() error { return s.writeChild(ctx, repo, idx, d) })
	}
	return g.Wait()
}

// writeChild writes one manifest an index names, once per repository.
func (s *schedule) writeChild(ctx context.Context, repo name.Repository, idx v1.ImageIndex, d v1.Descriptor) error {
	once, _ := s.children.LoadOrStore(placement{repo, d.Digest}, sync.OnceValue(func() error {
		var manifest remote.Taggable
		if d.MediaType.IsIndex() {
			child, err := idx.ImageIndex(d.Digest)
			if err == nil {
				err = s.writeChildren(ctx, repo, child)
			}
			if err != nil {
				return err
			}
			manifest = child
		} else {
			img, err := idx.Image(d.Digest)
			if err != nil {
				return err
			}
			manifest = img
		}
		_, err := withSlot(ctx, s.small, func() (struct{}, error) {
			return struct{}{}, s.pusher.Put(ctx, repo.Digest(d.Digest.String()), manifest)
		})
		return err
	}))
	return once.(func() error)()
}

// onlyImagesAndIndexes reports whether idx, and every index in it, names
// only images and indexes.
func onlyImagesAndIndexes(idx v1.ImageIndex) bool {
	im, err := idx.IndexManifest()
	if err != nil {
		return false
	}
	for _, d := range im.Manifests {
		switch {
		case d.MediaType.IsImage():
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil || !onlyImagesAndIndexes(child) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
