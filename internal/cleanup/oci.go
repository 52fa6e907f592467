package cleanup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

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

// Manifest reads a tag's digest, labels and creation time.
func (o OCI) Manifest(ctx context.Context, ref string) (string, map[string]string, time.Time, error) {
	r, err := name.ParseReference(ref, o.Name...)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	desc, err := remote.Get(r, o.options(ctx)...)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	img, err := firstImage(desc)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("reading the image config: %w", err)
	}
	return desc.Digest.String(), cf.Config.Labels, cf.Created.Time, nil
}

// firstImage is the image itself, or an index's first platform image: every
// platform of a published index carries the same labels.
func firstImage(desc *remote.Descriptor) (v1.Image, error) {
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
	for _, m := range im.Manifests {
		if m.MediaType.IsImage() {
			return idx.Image(m.Digest)
		}
	}
	return nil, errors.New("the index holds no image")
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
