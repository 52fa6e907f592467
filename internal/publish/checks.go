package publish

import (
	"context"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// checks are the push checks of the repositories that get anything. A
// check opens an upload in the repository, which the registry allows only
// to credentials that may push there, and it starts as soon as the
// repository is known to get something (its tag list lacks a tag, or a
// tag's digest differs), while the rest is still read. The upload it opens
// is not wasted: the repository's first blob upload sends its bytes there,
// and it is cancelled only when no blob needs it. Nothing is written before
// every check passed.
type checks struct {
	ctx     context.Context // the publish's: a check outlives the read that started it
	writers *writers
	explain func(name.Repository, error) error

	mu    sync.Mutex
	repos map[name.Repository]*check
}

// check is one repository's: done is closed once err and session are set.
type check struct {
	done    chan struct{}
	err     error
	session string // the upload it opened, until taken or cancelled
}

func newChecks(ctx context.Context, w *writers, explain func(name.Repository, error) error) *checks {
	return &checks{ctx: ctx, writers: w, explain: explain, repos: map[name.Repository]*check{}}
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
		defer close(ch.done)
		w, err := c.writers.get(repo)
		if err == nil {
			ch.session, err = w.open(c.ctx, "", "")
		}
		if err != nil && c.explain != nil {
			err = c.explain(repo, err)
		}
		ch.err = err
	}()
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

// take hands out repo's opened upload, "" if there is none (left).
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
	s := ch.session
	ch.session = ""
	return s
}

// cancel cancels repo's opened upload if nothing took it.
func (c *checks) cancel(ctx context.Context, repo name.Repository) {
	if s := c.take(repo); s != "" {
		if w, err := c.writers.get(repo); err == nil {
			w.cancel(ctx, s)
		}
	}
}

// cancelAll cancels every upload left, after the run (which may have
// ended): briefly, since the registry lets them expire anyway.
func (c *checks) cancelAll(ctx context.Context) {
	ctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
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
}
