package registry

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// CheckPush asks the repository of each reference to start an upload and
// cancels it, so that missing or wrong credentials fail before anything is
// written: jobs repositories at a time, through the retrying transport. The
// error is the first repository's in the order of refs, explained.
func (a *Access) CheckPush(ctx context.Context, refs []name.Reference, jobs int) error {
	var repos []name.Repository
	first := map[name.Repository]name.Reference{}
	for _, ref := range refs {
		if repo := ref.Context(); first[repo] == nil {
			repos = append(repos, repo)
			first[repo] = ref
		}
	}
	errs := make([]error, len(repos)) // each goroutine writes its own element
	var g errgroup.Group
	g.SetLimit(max(jobs, 1))
	for i, repo := range repos {
		g.Go(func() error {
			if errs[i] = ctx.Err(); errs[i] == nil {
				errs[i] = remote.CheckPushPermission(first[repo], a.keychain, a.http)
			}
			return nil
		})
	}
	_ = g.Wait()
	for i, err := range errs {
		if err != nil {
			return a.Explain("push to", "push", repos[i], err)
		}
	}
	return nil
}
