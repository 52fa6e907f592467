package publish

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
)

// probes ask whether each blob is already in the repository it would be
// uploaded to, while the registry's tags are still being read: on a fresh
// repository the answers are in when the push check starts, which then
// opens an upload for each blob that is missing, in one round trip, and the
// uploads do not ask again. A rerun, whose tags are all current, stops them
// when it knows; they cost it requests, not time.
type probes struct {
	answers map[placement]*probe
}

type probe struct {
	done chan struct{}
	has  bool
	err  error
}

// startProbes asks about every blob in its home repository that would be
// sent there, jobs at a time. Not asked: a blob mounted from where it was
// read (the mount answers whether the repository had it, and one the
// registry declines opens an upload of its own), and one read from its
// home itself.
func startProbes(ctx context.Context, w *writers, blobs []blob, jobs int) *probes {
	p := &probes{answers: make(map[placement]*probe, len(blobs))}
	limit := make(chan struct{}, jobs)
	for _, b := range blobs {
		if b.source != "" || b.present {
			continue
		}
		pr := &probe{done: make(chan struct{})}
		p.answers[placement{b.home, b.digest}] = pr
		go func() {
			defer close(pr.done)
			select {
			case limit <- struct{}{}:
			case <-ctx.Done():
				pr.err = ctx.Err()
				return
			}
			defer func() { <-limit }()
			wr, err := w.get(b.home)
			if err == nil {
				pr.has, err = wr.has(ctx, b.digest)
			}
			pr.err = err
		}()
	}
	return p
}

// answer waits for the probe of pl: known is false when there is none, or
// it failed (the upload then asks again, and reports the failure).
func (p *probes) answer(ctx context.Context, pl placement) (has, known bool) {
	pr := p.answers[pl]
	if pr == nil {
		return false, false
	}
	select {
	case <-pr.done:
	case <-ctx.Done():
		return false, false
	}
	return pr.has, pr.err == nil
}

// missing waits for the probes of repo's blobs and counts those it lacks
// (a failed probe counts as lacking): the blobs whose bytes would be sent.
func (p *probes) missing(ctx context.Context, repo name.Repository) int {
	n := 0
	for pl := range p.answers {
		if pl.repo != repo {
			continue
		}
		if has, known := p.answer(ctx, pl); !has || !known {
			n++
		}
	}
	return n
}

// wait lets every probe end (a publish stops them first by its context).
func (p *probes) wait() {
	for _, pr := range p.answers {
		<-pr.done
	}
}
