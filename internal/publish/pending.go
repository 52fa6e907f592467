package publish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// pending returns the targets whose tag does not already point at their
// digest, in order. It lists each repository's tags once, and asks for the
// digest only of tags that exist: a fresh repository costs one request, a
// rerun one per tag, and nothing else is asked of what is up to date.
func pending(ctx context.Context, puller *remote.Puller, jobs int, targets []Target) ([]Target, error) {
	tags := map[name.Repository]map[string]bool{}
	for _, t := range targets {
		repo := t.Ref.Context()
		if _, done := tags[repo]; done {
			continue
		}
		list, err := puller.List(ctx, repo)
		switch {
		case err == nil:
			tags[repo] = map[string]bool{}
			for _, tag := range list {
				tags[repo][tag] = true
			}
		case isStatus(err, http.StatusNotFound):
			tags[repo] = map[string]bool{} // no such repository yet
		default:
			tags[repo] = nil // cannot list: ask about every tag
		}
	}
	current := make([]bool, len(targets))
	var mu sync.Mutex
	indexes := make([]int, len(targets))
	for i := range indexes {
		indexes[i] = i
	}
	err := each(ctx, jobs, indexes, func(ctx context.Context, i int) error {
		t := targets[i]
		if known := tags[t.Ref.Context()]; known != nil && !known[t.Ref.TagStr()] {
			return nil
		}
		d, err := puller.Head(ctx, t.Ref)
		if err != nil {
			if isStatus(err, http.StatusNotFound) {
				return nil
			}
			return &RepoError{Repo: t.Ref.Context(), Err: fmt.Errorf("checking %s: %w", t.Ref, err)}
		}
		want, err := t.Digest()
		mu.Lock()
		current[i] = err == nil && d.Digest == want
		mu.Unlock()
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

func isStatus(err error, code int) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == code
}
