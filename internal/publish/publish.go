// Package publish writes images to registries in the fewest requests and
// round trips a publish can take: every distinct blob is uploaded once per
// registry (to the first repository that needs it, after an existence
// check, in two requests: a POST and a PUT with the whole blob), mounted
// into every other repository of that registry that needs it, and each tag
// is written once. Reads come first and run at once (tags, blobs, the push
// checks, which a publish to one repository that sends no blob data does
// without); each write starts as soon as what it needs is in place. A
// second identical run finds every tag in place and writes nothing.
package publish

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/shiptag/shiptag/internal/source"
)

// Target is one reference to write and the artifact it points at: a tag,
// or (--push-by-digest) the artifact's own digest.
type Target struct {
	Ref      name.Reference
	Artifact source.Artifact
	// Image names the image the target belongs to, for progress.
	Image string
}

// Options tune a publish.
type Options struct {
	// Jobs bounds the requests in flight at once that carry blob data or
	// open uploads (the uploads, the checks).
	Jobs int
	// Small bounds the small requests in flight at once: the reads of
	// tags, the probes, the mounts and the manifest writes, which share one
	// HTTP/2 connection where the registry offers it; 0 means Jobs.
	Small int
	// Remote carries authentication, transport and retry settings.
	Remote []remote.Option
	// Keychain and Transport are the same authentication and transport,
	// for the blob uploads shiptag sends itself (see repoWriter); nil is
	// anonymous over http.DefaultTransport.
	Keychain  authn.Keychain
	Transport http.RoundTripper
	// Progress, if set, is told the bytes of each blob as they are sent.
	Progress *Progress
	// Explain, if set, turns a repository's failed push check into what to
	// fix (see checks).
	Explain func(repo name.Repository, err error) error
	// Verify, if set, checks the sources (reads their blobs): run from the
	// start, while the registry is read, and passed before anything is
	// written. A rerun, with nothing to write, stops it when it knows.
	Verify func(ctx context.Context) error
	// Tags, if set, are the targets' references read ahead (ReadTags);
	// what they do not cover is read here.
	Tags *TagReads
}

// Publish writes every target whose tag is not already current. Reads
// come first (what each repository holds, the push checks, which blobs are
// there), then writes, each as soon as what it needs is in place: a blob
// upload once the checks passed, a mount once the blob is in its home
// repository, an image manifest once its blobs are in its repository, and
// the indexes after every image manifest. It returns after the first
// failure; blobs already sent stay (they are content-addressed and
// harmless).
func Publish(ctx context.Context, targets []Target, o Options) error {
	o.Jobs = max(o.Jobs, 1)
	if o.Small < 1 {
		o.Small = o.Jobs
	}
	opts := append([]remote.Option{remote.WithContext(ctx), remote.WithJobs(o.Jobs)}, o.Remote...)
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return err
	}
	all, err := collectBlobs(targets)
	if err != nil {
		return err
	}
	w := newWriters(ctx, targets, all, o)
	probeCtx, stopProbes := context.WithCancel(ctx)
	p := startProbes(probeCtx, w, all, o.Small)
	defer p.wait()
	defer stopProbes()
	c := newChecks(ctx, w, p, o.Jobs, o.Explain, len(repositories(targets)) == 1)
	defer c.cancelAll(ctx)
	verified := make(chan error, 1)
	verifyCtx, stopVerifying := context.WithCancel(ctx)
	defer stopVerifying()
	// The sources are checked from the start, while the registry is read:
	// the check is CPU work, and the network leaves the CPUs idle until
	// then. A rerun stops it once it knows nothing is written.
	go func() { verified <- verifySources(verifyCtx, o.Verify) }()
	first := sync.OnceFunc(func() { warm(o, all) }) // the first sign of writes: dial for them
	writes := func(repo name.Repository) {
		first()
		c.start(repo)
	}
	if targets, err = pending(ctx, puller, o.Small, o.Tags, targets, writes); err != nil || len(targets) == 0 {
		return err
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return err
	}
	blobs, err := collectBlobs(targets)
	if err != nil {
		return err
	}
	first() // done already: pending named the repository of every target it kept
	return newSchedule(o, pusher, blobs, targets, w, c, p, sync.OnceValue(func() error { return <-verified })).run(ctx)
}

func verifySources(ctx context.Context, verify func(context.Context) error) error {
	if verify == nil {
		return nil
	}
	return verify(ctx)
}

// repositories lists the repositories the targets name, in order, once each.
func repositories(targets []Target) []name.Repository {
	var repos []name.Repository
	seen := map[name.Repository]bool{}
	for _, t := range targets {
		if r := t.Ref.Context(); !seen[r] {
			seen[r] = true
			repos = append(repos, r)
		}
	}
	return repos
}

// each runs f on every item, at most jobs at a time, and returns the first
// error.
func each[T any](ctx context.Context, jobs int, items []T, f func(context.Context, T) error) error {
	return eachIndex(ctx, jobs, len(items), func(ctx context.Context, i int) error { return f(ctx, items[i]) })
}

// eachIndex runs f for every index from 0 to n-1, at most jobs at a time,
// and returns the first error: for work whose result goes to the i-th
// element of a slice, one writer per element.
func eachIndex(ctx context.Context, jobs, n int, f func(context.Context, int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i := range n {
		g.Go(func() error { return f(gctx, i) })
	}
	return g.Wait()
}

func wrap(what, subject, where string, err error) error {
	if err == nil {
		return nil
	}
	if where != "" {
		return fmt.Errorf("%s %s to %s: %w", what, subject, where, err)
	}
	return fmt.Errorf("%s %s: %w", what, subject, err)
}

// Digest is the digest a target's reference will point at.
func (t Target) Digest() (v1.Hash, error) { return t.Artifact.Digest() }
