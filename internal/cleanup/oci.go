package cleanup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/requests"
)

// OCI reads and deletes through the registry's distribution API, which
// Default, GitLab, Harbor, GCR and Quay registries serve.
type OCI struct {
	Remote []remote.Option
	Name   []name.Option
	// seen holds what Manifest read of each digest, so that tags on one
	// manifest cost one request each, not three; nil reads every time.
	seen *sync.Map
}

// NewOCI is an OCI whose reads share one authenticated transport per
// repository (one ping and one token for all its tags, where each read
// would otherwise make its own) and read each manifest's image once.
func NewOCI(opts []remote.Option, names []name.Option) (OCI, error) {
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return OCI{}, err
	}
	return OCI{Remote: append(slices.Clip(opts), remote.Reuse(puller)), Name: names, seen: &sync.Map{}}, nil
}

// options are o.Remote with ctx. Clipping o.Remote makes append copy it,
// so that calls running in parallel never write to one shared array.
func (o OCI) options(ctx context.Context) []remote.Option {
	return append(slices.Clip(o.Remote), remote.WithContext(ctx))
}

// Tags lists a repository's tags; a repository that does not exist has none.
func (o OCI) Tags(ctx context.Context, repository string) ([]string, error) {
	repo, err := name.NewRepository(repository, o.Name...)
	if err != nil {
		return nil, err
	}
	tags, err := remote.List(repo, o.options(ctx)...)
	if requests.IsStatus(err, http.StatusNotFound) {
		return nil, nil
	}
	return tags, err
}

// Manifest reads a tag's digest, labels, creation time and, for an index,
// its manifests. The config is read as a small blob (requests.SmallBlobs),
// beside the manifests, since a cleanup reads hundreds of them.
func (o OCI) Manifest(ctx context.Context, ref string) (Manifest, error) {
	ctx = requests.SmallBlobs(ctx)
	r, err := name.ParseReference(ref, o.Name...)
	if err != nil {
		return Manifest{}, err
	}
	desc, err := remote.Get(r, o.options(ctx)...)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Digest: desc.Digest.String()}
	if o.seen != nil {
		if read, ok := o.seen.Load(m.Digest); ok {
			return read.(Manifest), nil
		}
	}
	img, err := firstImage(desc, &m)
	if err != nil {
		return Manifest{}, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return Manifest{}, fmt.Errorf("reading the image config: %w", err)
	}
	m.Labels, m.Created = cf.Config.Labels, cf.Created.Time
	if o.seen != nil {
		o.seen.Store(m.Digest, m)
	}
	return m, nil
}

// firstImage is the image itself, or an index's first platform image: every
// platform of a published index carries the same labels. An index's
// manifests go to m.Children.
func firstImage(desc *remote.Descriptor, m *Manifest) (v1.Image, error) {
	if !desc.MediaType.IsIndex() {
		return desc.Image()
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var first *v1.Hash
	for _, c := range im.Manifests {
		m.Children = append(m.Children, c.Digest.String())
		if first == nil && c.MediaType.IsImage() {
			first = &c.Digest
		}
	}
	if first == nil {
		return nil, errors.New("the index holds no image")
	}
	return idx.Image(*first)
}

// Referrers lists the manifests whose subject is digest, through the
// referrers API where the registry has it, else the referrers tag schema
// (go-containerregistry falls back by itself). None is not an error.
func (o OCI) Referrers(ctx context.Context, repository, digest string) ([]string, error) {
	d, err := name.NewDigest(repository+"@"+digest, o.Name...)
	if err != nil {
		return nil, err
	}
	idx, err := remote.Referrers(d, o.options(ctx)...)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range im.Manifests {
		out = append(out, m.Digest.String())
	}
	return out, nil
}

// DeleteTag asks the registry to delete the tag. Registries that delete
// only manifests (distribution 2.x) refuse it, or answer 404 and keep the
// tag: both are ErrTagDeleteUnsupported.
func (o OCI) DeleteTag(ctx context.Context, repository, tag string) error {
	ref, err := name.NewTag(repository+":"+tag, o.Name...)
	if err != nil {
		return err
	}
	opts := o.options(ctx)
	err = remote.Delete(ref, opts...)
	switch {
	case err == nil:
		return nil
	case requests.IsStatus(err, http.StatusNotFound):
		if _, herr := remote.Head(ref, opts...); requests.IsStatus(herr, http.StatusNotFound) {
			return nil // already gone
		}
		return ErrTagDeleteUnsupported
	case requests.IsStatus(err, http.StatusMethodNotAllowed, http.StatusBadRequest):
		return fmt.Errorf("%w (%v)", ErrTagDeleteUnsupported, err)
	}
	return err
}

// DeleteDigest deletes a manifest, and with it every tag on it.
func (o OCI) DeleteDigest(ctx context.Context, repository, digest string) error {
	ref, err := name.NewDigest(repository+"@"+digest, o.Name...)
	if err != nil {
		return err
	}
	err = remote.Delete(ref, o.options(ctx)...)
	if requests.IsStatus(err, http.StatusNotFound) {
		return nil
	}
	if requests.IsStatus(err, http.StatusMethodNotAllowed) {
		return fmt.Errorf("%w; on a self-hosted registry, enable deletes (distribution: storage.delete.enabled: true)", err)
	}
	return err
}
