package publish

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

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
// published, and only what could not be listed stays behind.
func CopyReferrers(ctx context.Context, promos []Promotion, opts []remote.Option, unlisted func(error)) (int, error) {
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	copied := 0
	for _, p := range promos {
		listed, err := listReferrers(p.From, opts)
		if err != nil {
			unlisted(fmt.Errorf("listing the referrers of %s: %w", p.From, err))
		}
		for _, d := range listed {
			if err := copyManifest(p.From.Context().Digest(d.Digest.String()), p.To.Digest(d.Digest.String()), opts); err != nil {
				return copied, err
			}
			copied++
		}
		for _, suffix := range cosignSuffixes {
			tag := strings.Replace(p.From.DigestStr(), ":", "-", 1) + suffix
			err := copyManifest(p.From.Context().Tag(tag), p.To.Tag(tag), opts)
			switch {
			case requests.IsStatus(err, http.StatusNotFound):
			case err != nil:
				return copied, err
			default:
				copied++
			}
		}
	}
	return copied, nil
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

// copyManifest copies one manifest (and what it names) from one reference
// to another.
func copyManifest(from, to name.Reference, opts []remote.Option) error {
	desc, err := remote.Get(from, opts...)
	if err != nil {
		return err
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err == nil {
			err = remote.WriteIndex(to, idx, opts...)
		}
		return wrap("copying", from.String(), to.String(), err)
	}
	img, err := desc.Image()
	if err == nil {
		err = remote.Write(to, img, opts...)
	}
	return wrap("copying", from.String(), to.String(), err)
}
