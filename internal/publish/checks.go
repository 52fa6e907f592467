package publish

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/requests"
)

// checks are the push checks of the repositories that get anything. A
// check opens uploads in the repository, which the registry allows only to
// credentials that may push there, and it starts as soon as the repository
// is known to get something (its tag list lacks a tag, or a tag's digest
// differs), while the rest is still read. The uploads it opens are not
// wasted: one for each blob the probes found missing and that is not
// mounted from where it was read (one at least), which those blobs' bytes
// then go to; what no blob takes is cancelled. Nothing is written before
// every check passed.
//
// A publish to one repository that sends it no bytes (its blobs are there,
// or mounted from where they were read) skips the check: its first writes,
// the mounts and manifests, need the same permission and would fail alike,
// before anything else was written, and the check's round trip is the one
// a promotion waits for most. A refusal there is explained as the check's.
type checks struct {
	ctx     context.Context // the publish's: a check outlives the read that started it
	writers *writers
	probes  *probes
	jobs    int
	explain func(name.Repository, error) error
	sole    bool // the publish writes to one repository only

	mu    sync.Mutex
	repos map[name.Repository]*check
	// releasing are the cancels of uploads a check opened after its
	// repository's blobs were all settled; cancelAll waits for them.
	releasing sync.WaitGroup
}

// check is one repository's: done is closed once err and sessions are set.
type check struct {
	done     chan struct{}
	err      error
	sessions []string // the uploads it opened, until taken or cancelled
	// released is set once no blob will take an upload (see cancel): the
	// uploads the check opens after that are cancelled as soon as they are
	// open, while the manifests are written, not after them.
	released bool
	// skipped is set when the repository's own writes check it (see
	// checks).
	skipped bool
}

func newChecks(ctx context.Context, w *writers, p *probes, jobs int, explain func(name.Repository, error) error, sole bool) *checks {
	return &checks{ctx: ctx, writers: w, probes: p, jobs: jobs, explain: explain, sole: sole, repos: map[name.Repository]*check{}}
}

// start begins repo's check, once.
func (c *checks) start(repo name.Repository) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.repos[repo] != nil {
		return
	}
	ch := &check{done: make(chan struct{})}
	c.repos[repo] = ch
	go func() {
		missing := c.probes.missing(c.ctx, repo)
		if missing == 0 && c.sole {
			c.mu.Lock()
			ch.skipped = true
			close(ch.done)
			c.mu.Unlock()
			return
		}
		// At most as many as run at once: a blob that waits for a slot
		// opens its own, rather than hold one open meanwhile.
		sessions, err := c.open(repo, min(max(missing, 1), c.jobs))
		if err != nil && c.explain != nil {
			err = c.explain(repo, err)
		}
		c.mu.Lock()
		ch.sessions, ch.err = sessions, err
		close(ch.done)
		released := ch.released
		c.mu.Unlock()
		if released {
			c.releasing.Go(func() {
				ctx, stop := briefly(c.ctx)
				defer stop()
				c.cancel(ctx, repo)
			})
		}
	}()
}

// open opens n uploads in repo at once, jobs at most; on a failure the
// others are cancelled.
func (c *checks) open(repo name.Repository, n int) ([]string, error) {
	w, err := c.writers.get(repo)
	if err != nil {
		return nil, err
	}
	sessions, errs := make([]string, n), make([]error, n)
	_ = eachIndex(c.ctx, c.jobs, n, func(ctx context.Context, i int) error {
		sessions[i], errs[i] = w.open(c.ctx, "", "")
		return nil
	})
	for _, err := range errs {
		if err != nil {
			for _, s := range sessions {
				if s != "" {
					w.cancel(c.ctx, s)
				}
			}
			return nil, err
		}
	}
	return sessions, nil
}

// first starts any check of repos not started yet, waits for them all, and
// returns the first failure in the order of repos.
func (c *checks) first(repos []name.Repository) error {
	for _, r := range repos {
		c.start(r)
	}
	for _, r := range repos {
		c.mu.Lock()
		ch := c.repos[r]
		c.mu.Unlock()
		<-ch.done
		if ch.err != nil {
			return ch.err
		}
	}
	return nil
}

// refused explains a write's failure as repo's check would have, where
// the check was skipped and the registry refused the credentials.
func (c *checks) refused(repo name.Repository, err error) error {
	c.mu.Lock()
	ch := c.repos[repo]
	c.mu.Unlock()
	if ch == nil || !ch.skipped || c.explain == nil {
		return err
	}
	if !requests.IsStatus(err, http.StatusUnauthorized, http.StatusForbidden) {
		return err
	}
	return c.explain(repo, err)
}

// take hands out one of repo's opened uploads, "" if there is none (left).
func (c *checks) take(repo name.Repository) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := c.repos[repo]
	if ch == nil {
		return ""
	}
	select {
	case <-ch.done:
	default:
		return ""
	}
	if len(ch.sessions) == 0 {
		return ""
	}
	s := ch.sessions[len(ch.sessions)-1]
	ch.sessions = ch.sessions[:len(ch.sessions)-1]
	return s
}

// cancel cancels repo's opened uploads that nothing took; no blob may take
// one after it, and a check still opening has its uploads cancelled once
// they are open.
func (c *checks) cancel(ctx context.Context, repo name.Repository) {
	c.mu.Lock()
	if ch := c.repos[repo]; ch != nil {
		ch.released = true
	}
	c.mu.Unlock()
	var wg sync.WaitGroup
	for s := c.take(repo); s != ""; s = c.take(repo) {
		if w, err := c.writers.get(repo); err == nil {
			wg.Go(func() { w.cancel(ctx, s) })
		}
	}
	wg.Wait()
}

// cancelAll cancels every upload left, after the run (which may have
// ended): briefly, since the registry lets them expire anyway.
func (c *checks) cancelAll(ctx context.Context) {
	ctx, stop := briefly(ctx)
	defer stop()
	c.mu.Lock()
	repos := make([]name.Repository, 0, len(c.repos))
	for r := range c.repos {
		repos = append(repos, r)
	}
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range repos {
		wg.Go(func() {
			c.mu.Lock()
			ch := c.repos[r]
			c.mu.Unlock()
			<-ch.done
			c.cancel(ctx, r)
		})
	}
	wg.Wait()
	c.releasing.Wait()
}

// briefly is ctx for cancelling uploads: sent even after the run ended, and
// given up after a few seconds, since the registry lets them expire anyway.
func briefly(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}
