package publish

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/shiptag/shiptag/internal/requests"
)

// Promotion is an image published unchanged from a registry: its digest is
// the source's, so what refers to the source (signatures, SBOMs,
// attestations) refers to it too, once copied beside it.
type Promotion struct {
	From name.Digest     // the source, by digest
	To   name.Repository // where it was published
}

// cosignSuffixes are the tags cosign writes beside an image before the
// referrers API: sha256-<hex>.sig, .att and .sbom.
var cosignSuffixes = []string{".sig", ".att", ".sbom"}

// CopyReferrers copies each promotion's referrers to its target
// repository; see FindReferrers and Found.Copy.
func CopyReferrers(ctx context.Context, promos []Promotion, opts []remote.Option, jobs int, unlisted func(error)) (int, error) {
	return FindReferrers(ctx, promos, opts, jobs).Copy(ctx, unlisted)
}

// Found are a promotion's referrers, read in the background: those the
// source's registry lists (the OCI 1.1 referrers API, else the referrers
// tag schema, both as go-containerregistry reads them; writing them keeps
// the target's tag schema up to date where it has no API), and cosign's
// older sha256-<hex>.sig, .att and .sbom tags, each read (the manifest) as
// it is found. The reads need nothing written, so they run while the
// publish does: the common promotion, which has none, costs it no time.
type Found struct {
	done     chan struct{}
	mu       sync.Mutex
	pairs    []referrerPair
	unlisted []error
	err      error
	c        *referrerCopy
	jobs     int
}

// referrerPair is one manifest to copy, and its read.
type referrerPair struct {
	from, to name.Reference
	desc     *remote.Descriptor
}

// FindReferrers starts reading the promotions' referrers, jobs at a time,
// on one puller: one ping and token per repository, not per request.
func FindReferrers(ctx context.Context, promos []Promotion, opts []remote.Option, jobs int) *Found {
	f := &Found{done: make(chan struct{}), jobs: max(jobs, 1)}
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	puller, err := remote.NewPuller(opts...)
	pusher, perr := remote.NewPusher(opts...)
	if err = cmp.Or(err, perr); err != nil {
		f.err = err
		close(f.done)
		return f
	}
	f.c = &referrerCopy{read: append(slices.Clip(opts), remote.Reuse(puller)), write: append(slices.Clip(opts), remote.Reuse(pusher))}
	go func() {
		defer close(f.done)
		g, _ := errgroup.WithContext(ctx)
		g.SetLimit(f.jobs)
		for _, p := range promos {
			g.Go(func() error { return f.listed(p) })
			for _, suffix := range cosignSuffixes {
				tag := strings.Replace(p.From.DigestStr(), ":", "-", 1) + suffix
				g.Go(func() error { return f.read(p.From.Context().Tag(tag), p.To.Tag(tag)) })
			}
		}
		f.err = g.Wait()
	}()
	return f
}

// listed finds what the source's registry lists as referring to p's image.
func (f *Found) listed(p Promotion) error {
	listed, err := listReferrers(p.From, f.c.read)
	if err != nil {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.unlisted = append(f.unlisted, fmt.Errorf("listing the referrers of %s: %w", p.From, err))
		return nil
	}
	for _, d := range listed {
		if err := f.read(p.From.Context().Digest(d.Digest.String()), p.To.Digest(d.Digest.String())); err != nil {
			return err
		}
	}
	return nil
}

// read reads one manifest to copy; a tag that is not there is nothing.
func (f *Found) read(from, to name.Reference) error {
	desc, err := remote.Get(from, f.c.read...)
	if err != nil {
		if _, tag := from.(name.Tag); tag && requests.IsStatus(err, http.StatusNotFound) {
			return nil
		}
		return fmt.Errorf("reading %s: %w", from, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pairs = append(f.pairs, referrerPair{from: from, to: to, desc: desc})
	return nil
}

// Copy waits for the reads and writes what they found beside the
// promoted images, jobs at a time; it returns how many manifests it wrote.
// A registry that cannot list referrers (some refuse the endpoint
// outright) is told to unlisted, and the run goes on: the image is
// published, and only what could not be listed stays behind.
func (f *Found) Copy(ctx context.Context, unlisted func(error)) (int, error) {
	<-f.done
	if f.err != nil {
		return 0, f.err
	}
	for _, err := range f.unlisted {
		unlisted(err)
	}
	err := each(ctx, f.jobs, f.pairs, func(_ context.Context, p referrerPair) error { return f.c.copy(p) })
	return int(f.c.copied.Load()), err
}

// referrerCopy is what the copies read and write with, and their count.
type referrerCopy struct {
	read, write []remote.Option
	copied      atomic.Int64
}

// copy writes one manifest read (and what it names) to its new reference,
// and counts it.
func (c *referrerCopy) copy(p referrerPair) error {
	var err error
	if p.desc.MediaType.IsIndex() {
		idx, ierr := p.desc.ImageIndex()
		if err = ierr; err == nil {
			err = remote.WriteIndex(p.to, idx, c.write...)
		}
	} else {
		img, ierr := p.desc.Image()
		if err = ierr; err == nil {
			err = remote.Write(p.to, img, c.write...)
		}
	}
	if err == nil {
		c.copied.Add(1)
	}
	return wrap("copying", p.from.String(), p.to.String(), err)
}

// listReferrers is what the registry lists as referring to d.
func listReferrers(d name.Digest, opts []remote.Option) ([]v1.Descriptor, error) {
	idx, err := remote.Referrers(d, opts...)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	return im.Manifests, nil
}
