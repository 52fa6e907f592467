package source

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// openRemote reads an image or index from a registry (docker://REF).
func openRemote(ctx context.Context, ref string, o Options) (Artifact, error) {
	var nameOpts []name.Option
	if o.NameOptions != nil {
		nameOpts = o.NameOptions(ref)
	}
	r, err := name.ParseReference(ref, nameOpts...)
	if err != nil {
		return Artifact{}, err
	}
	if o.Warm != nil {
		o.Warm(r.Context().RegistryStr(), 1) // dialled during the ping and the manifest read
	}
	opts := append([]remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.Keychain)}, o.Remote...)
	desc, err := remote.Get(r, opts...)
	if err != nil {
		return Artifact{}, err
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return Artifact{}, err
		}
		idx = memoized(idx)
		if im, err := idx.IndexManifest(); err == nil && o.Warm != nil && len(im.Manifests) > 1 {
			// The children's configs are read at once, each over its own.
			o.Warm(r.Context().RegistryStr(), min(len(im.Manifests), max(o.Jobs, 1)))
		}
		prefetch(idx, o.Jobs)
		return Artifact{Index: idx}, nil
	}
	img, err := desc.Image()
	return Artifact{Image: img}, err
}
