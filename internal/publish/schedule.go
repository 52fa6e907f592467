package publish

import (
	"context"
	"errors"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// schedule is one publish's writes, each started as soon as what it needs
// is there rather than stage by stage: on a link with a 40 ms round trip,
// every stage that waits for the slowest of the one before costs a round
// trip or more of idle connections.
type schedule struct {
	o       Options
	pusher  *remote.Pusher
	blobs   []blob
	targets []Target
	writers *writers
	checks  *checks
	probes  *probes
	// validated is the push checks' verdict, asked before the first write.
	validated func() error
	slots     chan struct{} // one per upload (or ggcr Push) in flight
	small     chan struct{} // one per small request in flight (Options.Small)

	placed map[placement]chan struct{} // closed once the blob is in the repository
	// children are the manifests indexes name, each written once per
	// repository (placement of the manifest's digest).
	children sync.Map
	// homed counts, per repository, the blobs whose upload there is not
	// settled: at none, its check's upload is cancelled unless taken.
	mu    sync.Mutex
	homed map[name.Repository]int
}

// placement is a blob in one repository.
type placement struct {
	repo   name.Repository
	digest v1.Hash
}

func newSchedule(o Options, pusher *remote.Pusher, blobs []blob, targets []Target, w *writers, c *checks, p *probes, verified func() error) *schedule {
	s := &schedule{o: o, pusher: pusher, blobs: blobs, targets: targets, writers: w, checks: c, probes: p,
		validated: sync.OnceValue(func() error {
			if err := verified(); err != nil {
				return &invalid{err}
			}
			if err := c.first(repositories(targets)); err != nil {
				return &invalid{err}
			}
			return nil
		}),
		slots: make(chan struct{}, o.Jobs), small: make(chan struct{}, o.Small), placed: map[placement]chan struct{}{}, homed: map[name.Repository]int{}}
	for _, b := range blobs {
		s.placed[placement{b.home, b.digest}] = make(chan struct{})
		s.homed[b.home]++
		for _, r := range b.others {
			s.placed[placement{r, b.digest}] = make(chan struct{})
		}
	}
	return s
}

// run does every write, and returns the first failure.
func (s *schedule) run(ctx context.Context) error {
	if s.o.Progress != nil {
		for _, b := range s.blobs {
			s.o.Progress.expect(b.image, b.size)
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, repo := range repositories(s.targets) {
		if s.homed[repo] == 0 { // only mounts and manifests: its check's upload is not needed
			g.Go(func() error {
				if s.validated() == nil {
					s.checks.cancel(ctx, repo)
				}
				return nil
			})
		}
	}
	for _, b := range s.blobs {
		g.Go(func() error { return wrap("uploading blob", b.digest.String(), b.home.String(), s.upload(ctx, b)) })
		for _, r := range b.others {
			g.Go(func() error { return wrap("mounting blob", b.digest.String(), r.String(), s.mount(ctx, b, r)) })
		}
	}
	var images sync.WaitGroup
	var indexes []Target
	for _, t := range s.targets {
		if t.Artifact.Index != nil {
			indexes = append(indexes, t)
			continue
		}
		images.Add(1)
		g.Go(func() error {
			defer images.Done()
			return wrap("writing", t.Ref.String(), "", s.writeImage(ctx, t))
		})
	}
	for _, t := range indexes {
		g.Go(func() error { return wrap("writing", t.Ref.String(), "", s.writeIndex(ctx, t, &images)) })
	}
	err := g.Wait()
	var bad *invalid
	if errors.As(err, &bad) {
		return bad.err // what the user fixes, without the write it stopped
	}
	if err != nil && s.checks.sole {
		return s.checks.refused(s.targets[0].Ref.Context(), err)
	}
	return err
}

// invalid is a failed check or source, before anything was written.
type invalid struct{ err error }

func (e *invalid) Error() string { return e.err.Error() }
func (e *invalid) Unwrap() error { return e.err }

// warm has the transport, where it can, dial the connections the uploads
// of blobs may take, as soon as a repository is known to get something,
// while the push checks run: as many as uploads may run at once. A rerun
// dials none, and nor does a publish whose blobs are all mounted or read
// from the repository itself: it sends no blob data.
func warm(o Options, blobs []blob) {
	w, ok := o.Transport.(interface{ Warm(host string, n int) })
	if !ok {
		return
	}
	uploads := map[string]int{} // registry → blobs it may be sent
	for _, b := range blobs {
		if b.source == "" && !b.present {
			uploads[b.home.RegistryStr()]++
		}
	}
	for host, n := range uploads {
		w.Warm(host, min(n, o.Jobs))
	}
}

// upload puts a blob into its home repository: nothing if it was read
// from there or is there already (asked before the checks are in), a
// mount from where it was read where that is the same registry (which
// answers whether it was there, so it is not asked first), else its bytes,
// into the upload the repository's check opened if no other blob took it.
func (s *schedule) upload(ctx context.Context, b blob) error {
	defer s.settled(ctx, b.home)
	if b.present {
		close(s.placed[placement{b.home, b.digest}])
		return nil
	}
	w, err := s.writer(ctx, b.home)
	if err != nil {
		return err
	}
	has, known := false, b.source != ""
	if !known {
		has, known = s.probes.answer(ctx, placement{b.home, b.digest})
	}
	if !known {
		if has, err = withSlot(ctx, s.small, func() (bool, error) { return w.has(ctx, b.digest) }); err != nil {
			return err
		}
	}
	if !has {
		if err := s.validated(); err != nil {
			return err
		}
		layer, session := b.layer, ""
		if b.source == "" {
			layer, session = s.o.Progress.count(b.image, b.layer), s.checks.take(b.home)
		}
		// An upload slot even for a blob that goes in by a mount from where
		// it was read (b.source): a registry that declines the mount takes
		// its bytes instead.
		if _, err := withSlot(ctx, s.slots, func() (struct{}, error) {
			return struct{}{}, w.upload(ctx, layer, b.digest, b.size, b.source, session)
		}); err != nil {
			return err
		}
	}
	close(s.placed[placement{b.home, b.digest}])
	return nil
}

// settled notes one more blob of repo settled; after the last, the check's
// upload is cancelled if nothing took it.
func (s *schedule) settled(ctx context.Context, repo name.Repository) {
	s.mu.Lock()
	s.homed[repo]--
	last := s.homed[repo] == 0
	s.mu.Unlock()
	if last && ctx.Err() == nil {
		s.checks.cancel(ctx, repo)
	}
}

// mount puts a blob into another repository of its home's registry, from
// its home once it is there. A mount answers whether or not the repository
// had the blob, so it is not asked first.
func (s *schedule) mount(ctx context.Context, b blob, repo name.Repository) error {
	if err := s.await(ctx, placement{b.home, b.digest}); err != nil {
		return err
	}
	if err := s.validated(); err != nil {
		return err
	}
	w, err := s.writer(ctx, repo)
	if err != nil {
		return err
	}
	if _, err := withSlot(ctx, s.small, func() (struct{}, error) {
		return struct{}{}, w.upload(ctx, b.layer, b.digest, b.size, b.home.RepositoryStr(), "")
	}); err != nil {
		return err
	}
	close(s.placed[placement{repo, b.digest}])
	return nil
}

// writeImage writes an image manifest once its blobs are in its repository.
func (s *schedule) writeImage(ctx context.Context, t Target) error {
	if err := s.awaitBlobs(ctx, t); err != nil {
		return err
	}
	_, err := withSlot(ctx, s.small, func() (struct{}, error) { return struct{}{}, s.pusher.Put(ctx, t.Ref, t.Artifact.Image) })
	return err
}

// awaitBlobs waits until every blob of t is in its repository, and the
// checks passed.
func (s *schedule) awaitBlobs(ctx context.Context, t Target) error {
	layers, err := ArtifactBlobs(t.Artifact)
	if err != nil {
		return err
	}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		if err := s.await(ctx, placement{t.Ref.Context(), d}); err != nil {
			return err
		}
	}
	return s.validated()
}

// await waits until the blob is in the repository, or the publish failed.
func (s *schedule) await(ctx context.Context, p placement) error {
	select {
	case <-s.placed[p]:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (s *schedule) writer(ctx context.Context, repo name.Repository) (*repoWriter, error) {
	return withSlot(ctx, s.small, func() (*repoWriter, error) { return s.writers.get(repo) })
}

// withSlot runs f while holding one of slots (the schedule's uploads or
// small requests).
func withSlot[T any](ctx context.Context, slots chan struct{}, f func() (T, error)) (T, error) {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
	defer func() { <-slots }()
	return f()
}
