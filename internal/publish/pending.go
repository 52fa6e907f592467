package publish

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/requests"
)

// pending returns the targets whose reference does not already point at
// their digest, in order, from what reads say of each (references reads
// does not cover are read here). writes hears of each repository as soon
// as it is known to get something.
func pending(ctx context.Context, puller *remote.Puller, jobs int, reads *TagReads, targets []Target, writes func(name.Repository)) ([]Target, error) {
	var unread []name.Reference
	for _, t := range targets {
		if reads.read(t.Ref) == nil {
			unread = append(unread, t.Ref)
		}
	}
	more := readTags(ctx, puller, jobs, unread)
	defer more.Stop()
	current := make([]bool, len(targets)) // each goroutine writes its own element
	err := eachIndex(ctx, jobs, len(targets), func(ctx context.Context, i int) error {
		t := targets[i]
		defer func() {
			if !current[i] {
				writes(t.Ref.Context())
			}
		}()
		r := reads.read(t.Ref)
		if r == nil {
			r = more.read(t.Ref)
		}
		digest, found, err := r.wait(ctx)
		if err != nil {
			current[i] = true // no write: the publish fails
			return &RepoError{Repo: t.Ref.Context(), Err: fmt.Errorf("checking %s: %w", t.Ref, err)}
		}
		want, err := t.Digest()
		current[i] = found && err == nil && digest == want
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Target
	for i, t := range targets {
		if !current[i] {
			out = append(out, t)
		}
	}
	return out, nil
}

// fewTags is the most references in a repository that are asked about one
// by one, without listing its tags first.
const fewTags = 3

// listTags lists the tags of every repository with more than fewTags
// references in refs, in parallel: an empty set for a repository that does
// not exist yet, nil for one that is not listed or cannot be (its tags are
// then asked about one by one).
func listTags(ctx context.Context, puller *remote.Puller, jobs int, refs []name.Reference) map[name.Repository]map[string]bool {
	count := map[name.Repository]int{}
	var repos []name.Repository
	for _, r := range refs {
		if count[r.Context()]++; count[r.Context()] == fewTags+1 {
			repos = append(repos, r.Context())
		}
	}
	sets := make([]map[string]bool, len(repos)) // each goroutine writes its own element
	// A failed list is not an error here, so the walk itself never fails.
	_ = eachIndex(ctx, jobs, len(repos), func(ctx context.Context, i int) error {
		list, err := puller.List(ctx, repos[i])
		switch {
		case err == nil:
			sets[i] = map[string]bool{}
			for _, tag := range list {
				sets[i][tag] = true
			}
		case requests.IsStatus(err, http.StatusNotFound):
			sets[i] = map[string]bool{} // no such repository yet
		}
		return nil
	})
	tags := make(map[name.Repository]map[string]bool, len(repos))
	for i, repo := range repos {
		tags[repo] = sets[i]
	}
	return tags
}

// RepoError is a failure to reach a repository, before anything was
// written: the caller can explain it (credentials, TLS, a registry down).
type RepoError struct {
	Repo name.Repository
	Err  error
}

// Error is the underlying error's text.
func (e *RepoError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RepoError) Unwrap() error { return e.Err }
