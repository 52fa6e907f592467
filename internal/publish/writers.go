package publish

import (
	"context"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
)

// writers hold one repoWriter per repository a publish writes to, each
// made once, when first needed, with the scopes it may need: push to it,
// pull from every other repository of its registry that the publish names
// (its blobs may be mounted from there).
type writers struct {
	get func(name.Repository) (*repoWriter, error)
}

func newWriters(ctx context.Context, targets []Target, blobs []blob, o Options) *writers {
	made := map[name.Repository]func() (*repoWriter, error){}
	for _, t := range targets {
		repo := t.Ref.Context()
		if made[repo] != nil {
			continue
		}
		from := mountSources(repo, targets, blobs)
		made[repo] = sync.OnceValues(func() (*repoWriter, error) { return newRepoWriter(ctx, repo, from, o) })
	}
	return &writers{get: func(repo name.Repository) (*repoWriter, error) { return made[repo]() }}
}

// mountSources are the repositories of repo's registry, other than repo,
// that the targets name or their blobs were read from (collectBlobs found
// those).
func mountSources(repo name.Repository, targets []Target, blobs []blob) []name.Repository {
	var out []name.Repository
	seen := map[name.Repository]bool{repo: true}
	add := func(r name.Repository) {
		if !seen[r] && r.RegistryStr() == repo.RegistryStr() {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, t := range targets {
		add(t.Ref.Context())
	}
	for _, b := range blobs {
		if b.source != "" {
			add(b.home.Registry.Repo(b.source))
		}
	}
	return out
}
