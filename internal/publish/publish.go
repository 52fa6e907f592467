// Package publish writes images to registries in three passes, so that the
// registry does the least work a publish can take: every distinct blob is
// uploaded once per registry (to the first repository that needs it, after
// an existence check), mounted into every other repository of that registry
// that needs it, and only then are the manifests written, each tag once.
// A second identical run finds every blob and every tag in place and
// uploads nothing.
package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/shiptag/shiptag/internal/source"
)

// Target is one reference to write and the artifact it points at: a tag,
// or (--push-by-digest) the artifact's own digest.
type Target struct {
	Ref      name.Reference
	Artifact source.Artifact
	// Image names the image the target belongs to, for progress.
	Image string
}

// Options tune a publish.
type Options struct {
	// Jobs bounds the requests in flight at once.
	Jobs int
	// Remote carries authentication, transport and retry settings.
	Remote []remote.Option
	// Progress, if set, is told the bytes of each blob as they are sent.
	Progress *Progress
	// BeforeUpload, if set, is given the targets that need writing, before
	// anything is written (to check the credentials of their repositories).
	BeforeUpload func(ctx context.Context, todo []Target) error
}

// Publish writes every target whose tag is not already current. It returns
// after the first failure; blobs already sent stay (they are
// content-addressed and harmless), and no tag is written before all blobs
// are in place.
func Publish(ctx context.Context, targets []Target, o Options) error {
	if o.Jobs < 1 {
		o.Jobs = 1
	}
	opts := append([]remote.Option{remote.WithContext(ctx), remote.WithJobs(o.Jobs)}, o.Remote...)
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return err
	}
	if targets, err = pending(ctx, puller, o.Jobs, targets); err != nil || len(targets) == 0 {
		return err
	}
	if o.BeforeUpload != nil {
		if err := o.BeforeUpload(ctx, targets); err != nil {
			return err
		}
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return err
	}
	blobs, err := collectBlobs(targets)
	if err != nil {
		return err
	}
	if err := sendBlobs(ctx, pusher, o, blobs); err != nil {
		return err
	}
	return writeManifests(ctx, pusher, o.Jobs, targets)
}

// sendBlobs uploads each blob once, to its home repository, then mounts it
// into every other repository of the same registry that needs it.
func sendBlobs(ctx context.Context, pusher *remote.Pusher, o Options, blobs []blob) error {
	if o.Progress != nil {
		for _, b := range blobs {
			o.Progress.expect(b.image, b.size)
		}
	}
	if err := each(ctx, o.Jobs, blobs, func(ctx context.Context, b blob) error {
		return wrap("uploading blob", b.digest.String(), b.home.String(), pusher.Upload(ctx, b.home, o.Progress.count(b.image, b.layer)))
	}); err != nil {
		return err
	}
	var mounts []mount
	for _, b := range blobs {
		for _, r := range b.others {
			mounts = append(mounts, mount{blob: b, repo: r})
		}
	}
	return each(ctx, o.Jobs, mounts, func(ctx context.Context, m mount) error {
		ml := &remote.MountableLayer{Layer: m.blob.layer, Reference: m.blob.home.Digest(m.blob.digest.String())}
		return wrap("mounting blob", m.blob.digest.String(), m.repo.String(), pusher.Upload(ctx, m.repo, ml))
	})
}

// writeManifests writes the targets' manifests once every blob is in place:
// image manifests first, then the indexes that name them. A registry
// checks an index's platform manifests when it is written, and
// distribution's filesystem storage rewrites a manifest's link in place
// when the same manifest is written again (under another tag): an index
// written meanwhile can find that link empty and be refused. Measured: one
// export in seven failed so before this ordering.
func writeManifests(ctx context.Context, pusher *remote.Pusher, jobs int, targets []Target) error {
	var images, indexes []Target
	for _, t := range targets {
		if t.Artifact.Index != nil {
			indexes = append(indexes, t)
		} else {
			images = append(images, t)
		}
	}
	// No target's tag is current: an image manifest is written as it is,
	// with no further check; an index also writes its platform manifests.
	if err := each(ctx, jobs, images, func(ctx context.Context, t Target) error {
		return wrap("writing", t.Ref.String(), "", pusher.Put(ctx, t.Ref, t.Artifact.Image))
	}); err != nil {
		return err
	}
	return each(ctx, jobs, indexes, func(ctx context.Context, t Target) error {
		return wrap("writing", t.Ref.String(), "", pusher.Push(ctx, t.Ref, t.Artifact.Index))
	})
}

type mount struct {
	blob blob
	repo name.Repository
}

// each runs f on every item, at most jobs at a time, and returns the first
// error.
func each[T any](ctx context.Context, jobs int, items []T, f func(context.Context, T) error) error {
	return eachIndex(ctx, jobs, len(items), func(ctx context.Context, i int) error { return f(ctx, items[i]) })
}

// eachIndex runs f for every index from 0 to n-1, at most jobs at a time,
// and returns the first error: for work whose result goes to the i-th
// element of a slice, one writer per element.
func eachIndex(ctx context.Context, jobs, n int, f func(context.Context, int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i := range n {
		g.Go(func() error { return f(gctx, i) })
	}
	return g.Wait()
}

func wrap(what, subject, where string, err error) error {
	if err == nil {
		return nil
	}
	if where != "" {
		return fmt.Errorf("%s %s to %s: %w", what, subject, where, err)
	}
	return fmt.Errorf("%s %s: %w", what, subject, err)
}

// Digest is the digest a target's reference will point at.
func (t Target) Digest() (v1.Hash, error) { return t.Artifact.Digest() }
