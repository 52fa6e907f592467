package publish

import (
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

// CopyReferrers copies each promotion's referrers to its target repository:
// those the source's registry lists (the OCI 1.1 referrers API, else the
// referrers tag schema, both as go-containerregistry reads them; writing
// them keeps the target's tag schema up to date where it has no API), and
// cosign's older sha256-<hex>.sig, .att and .sbom tags. It returns how many
// manifests it wrote. A registry that cannot list referrers (some refuse the
// endpoint outright) is told to unlisted, and the run goes on: the image is
// published, and only what could not be listed stays behind. The listing
// and the cosign lookups run at once, jobs at a time, on one puller and one
// pusher: one ping and token per repository, not per request.
func CopyReferrers(ctx context.Context, promos []Promotion, opts []remote.Option, jobs int, unlisted func(error)) (int, error) {
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return 0, err
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return 0, err
	}
	c := &referrerCopy{read: append(slices.Clip(opts), remote.Reuse(puller)), write: append(slices.Clip(opts), remote.Reuse(pusher))}
	var mu sync.Mutex
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for _, p := range promos {
		g.Go(func() error {
			listed, err := listReferrers(p.From, c.read)
			if err != nil {
				mu.Lock()
				defer mu.Unlock()
				unlisted(fmt.Errorf("listing the referrers of %s: %w", p.From, err))
				return nil
			}
			for _, d := range listed {
				if err := c.copy(p.From.Context().Digest(d.Digest.String()), p.To.Digest(d.Digest.String())); err != nil {
					return err
				}
			}
			return nil
		})
		for _, suffix := range cosignSuffixes {
			tag := strings.Replace(p.From.DigestStr(), ":", "-", 1) + suffix
			g.Go(func() error {
				if err := c.copy(p.From.Context().Tag(tag), p.To.Tag(tag)); !requests.IsStatus(err, http.StatusNotFound) {
					return err
				}
				return nil
			})
		}
	}
	err = g.Wait()
	return int(c.copied.Load()), err
}

// referrerCopy is what CopyReferrers reads and writes with, and its count.
type referrerCopy struct {
	read, write []remote.Option
	copied      atomic.Int64
}

// copy copies one manifest (and what it names) from one reference to
// another, and counts it.
func (c *referrerCopy) copy(from, to name.Reference) error {
	desc, err := remote.Get(from, c.read...)
	if err != nil {
		return err
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err == nil {
			err = remote.WriteIndex(to, idx, c.write...)
		}
		return c.count(wrap("copying", from.String(), to.String(), err))
	}
	img, err := desc.Image()
	if err == nil {
		err = remote.Write(to, img, c.write...)
	}
	return c.count(wrap("copying", from.String(), to.String(), err))
}

func (c *referrerCopy) count(err error) error {
	if err == nil {
		c.copied.Add(1)
	}
	return err
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
