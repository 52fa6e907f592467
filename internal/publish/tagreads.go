package publish

import (
	"context"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/requests"
)

// TagReads are what references point at in the registry, read ahead of the
// publish: a caller starts them (ReadTags) while its sources open, so that a
// source read from a registry, whose manifest costs a round trip, and the
// target's tags are asked in the same round trip rather than one after the
// other. A repository with more than a few references has its tag list
// read first, and only the listed tags asked: a fresh repository costs one
// request, a rerun one per tag. The zero of *TagReads (nil) covers nothing.
type TagReads struct {
	reads map[string]*tagRead // by reference
	stop  context.CancelFunc
}

// tagRead is one reference's: done is closed once the rest is set.
type tagRead struct {
	done   chan struct{}
	digest v1.Hash
	found  bool
	err    error
}

// ReadTags starts reading what refs point at, o.Small at a time (o.Jobs
// when Small is 0), with o.Remote's authentication and transport. Stop
// ends the reads left.
func ReadTags(ctx context.Context, refs []name.Reference, o Options) (*TagReads, error) {
	jobs := o.Small
	if jobs < 1 {
		jobs = max(o.Jobs, 1)
	}
	puller, err := remote.NewPuller(append([]remote.Option{remote.WithContext(ctx), remote.WithJobs(jobs)}, o.Remote...)...)
	if err != nil {
		return nil, err
	}
	return readTags(ctx, puller, jobs, refs), nil
}

func readTags(ctx context.Context, puller *remote.Puller, jobs int, refs []name.Reference) *TagReads {
	ctx, stop := context.WithCancel(ctx)
	r := &TagReads{reads: make(map[string]*tagRead, len(refs)), stop: stop}
	var unique []name.Reference
	for _, ref := range refs {
		if r.reads[ref.String()] == nil {
			r.reads[ref.String()] = &tagRead{done: make(chan struct{})}
			unique = append(unique, ref)
		}
	}
	go func() {
		listed := listTags(ctx, puller, jobs, unique)
		_ = eachIndex(ctx, jobs, len(unique), func(ctx context.Context, i int) error {
			ref := unique[i]
			rd := r.reads[ref.String()]
			defer close(rd.done)
			if tag, ok := ref.(name.Tag); ok {
				if known := listed[ref.Context()]; known != nil && !known[tag.TagStr()] {
					return nil // not among the repository's tags
				}
			}
			d, err := puller.Head(ctx, ref)
			switch {
			case err == nil:
				rd.digest, rd.found = d.Digest, true
			case !requests.IsStatus(err, http.StatusNotFound):
				rd.err = err
			}
			return nil
		})
	}()
	return r
}

// Stop ends the reads still running; a read it ends fails.
func (r *TagReads) Stop() {
	if r != nil {
		r.stop()
	}
}

// read is ref's read, nil where ref is not among the references read.
func (r *TagReads) read(ref name.Reference) *tagRead {
	if r == nil {
		return nil
	}
	return r.reads[ref.String()]
}

// wait returns what the reference points at: found is false where it names
// nothing (a missing tag or repository).
func (rd *tagRead) wait(ctx context.Context) (v1.Hash, bool, error) {
	select {
	case <-rd.done:
		return rd.digest, rd.found, rd.err
	case <-ctx.Done():
		return v1.Hash{}, false, context.Cause(ctx)
	}
}
