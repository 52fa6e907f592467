package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/shiptag/shiptag/internal/inputs"
)

// Named is one image's source as the user wrote it, with the image's name
// as errors show it.
type Named struct {
	Label string
	// Specs are the image's sources: one, or several to merge into one
	// multi-platform image (see Merge).
	Specs []string
}

// Remote reports whether opening s reads the network (a registry, or a
// Docker Engine) rather than local files.
func (s Source) Remote() bool { return s.Transport == Registry || s.Transport == DockerDaemon }

// OpenAll parses and opens every source, the one way every command opens
// sources. A source that cannot be parsed or read from local files is the
// user's to fix: an *inputs.Error on --image. A registry or a Docker Engine
// that fails is a runtime failure, wrapped as it is. With localOnly (why
// the command reads local files only, and what to run instead) a remote
// source is refused before anything is read. An image with several sources
// becomes one multi-platform image of them all (Merge).
//
// Sources open at once, o.Jobs at a time: each registry source costs round
// trips (its manifest, then its config unless deferred), and a promotion
// of several images would wait for them one after the other. What comes
// back does not depend on the order they finish in: the first failure in
// image order is the one returned, and deferred verifications keep image
// order too.
func OpenAll(ctx context.Context, images []Named, o Options, localOnly string) ([]Artifact, error) {
	specs, parts := listSpecs(images)
	deferred := make([]Deferred, len(specs))
	errs := openSpecs(ctx, specs, func(ctx context.Context, k int) error {
		one, sp := o, specs[k]
		if o.Defer != nil {
			one.Defer = &deferred[k]
		}
		var err error
		parts[sp.image][sp.part], err = openOne(ctx, images[sp.image].Label, sp.text, one, localOnly)
		return err
	}, o.Jobs)
	if err := firstFailure(errs); err != nil {
		return nil, err
	}
	if o.Defer != nil {
		for k := range deferred {
			o.Defer.take(&deferred[k])
		}
	}
	return mergeParts(images, parts)
}

// spec is one source of one image: parts[image][part] is what it opens to.
type spec struct {
	image, part int
	text        string
}

func listSpecs(images []Named) ([]spec, [][]Artifact) {
	var specs []spec
	parts := make([][]Artifact, len(images))
	for i, img := range images {
		texts := img.Specs
		if len(texts) == 0 {
			texts = []string{""} // refused by Parse, with the image named
		}
		parts[i] = make([]Artifact, len(texts))
		for j, text := range texts {
			specs = append(specs, spec{i, j, text})
		}
	}
	return specs, parts
}

// openSpecs runs open for every spec, jobs at a time, and returns each
// one's error. Each has a context of its own, which lives on after a
// success: a registry source reads its layers with it later. A failure
// stops the specs after it, not those before, so that the first failure
// in order is a source's own.
func openSpecs(ctx context.Context, specs []spec, open func(context.Context, int) error, jobs int) []error {
	errs := make([]error, len(specs))
	ctxs, stops := make([]context.Context, len(specs)), make([]context.CancelCauseFunc, len(specs))
	for k := range specs {
		ctxs[k], stops[k] = context.WithCancelCause(ctx)
	}
	var wg sync.WaitGroup
	limit := make(chan struct{}, max(jobs, 1))
	for k := range specs {
		wg.Go(func() {
			select {
			case limit <- struct{}{}:
			case <-ctxs[k].Done():
				errs[k] = context.Cause(ctxs[k])
				return
			}
			defer func() { <-limit }()
			if errs[k] = open(ctxs[k], k); errs[k] != nil {
				for _, stop := range stops[k+1:] {
					stop(errOtherSource)
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// errOtherSource stops the sources still opening once one has failed.
var errOtherSource = errors.New("another source failed")

// firstFailure is the first error in image order that is a source's own,
// not the stop that another's failure caused (unless that is all there is:
// the run itself ended).
func firstFailure(errs []error) error {
	var stopped error
	for _, err := range errs {
		switch {
		case err == nil:
		case errors.Is(err, errOtherSource) || errors.Is(err, context.Canceled):
			stopped = cmp.Or(stopped, err)
		default:
			return err
		}
	}
	return stopped
}

// mergeParts makes each image of several sources one multi-platform image.
func mergeParts(images []Named, parts [][]Artifact) ([]Artifact, error) {
	artifacts := make([]Artifact, len(images))
	for i, img := range images {
		if len(parts[i]) == 1 {
			artifacts[i] = parts[i][0]
			continue
		}
		a, err := Merge(img.Specs, parts[i])
		if err != nil {
			return nil, inputs.Errorf("image", "%s: %w", img.Label, err)
		}
		artifacts[i] = a
	}
	return artifacts, nil
}

// openOne parses and opens one source of an image.
func openOne(ctx context.Context, label, spec string, o Options, localOnly string) (Artifact, error) {
	src, err := Parse(spec)
	if err == nil && localOnly != "" && src.Remote() {
		err = fmt.Errorf("%q is in a registry or the Docker Engine, and %s", spec, localOnly)
	}
	if err != nil {
		return Artifact{}, inputs.Errorf("image", "%s: %w", label, err)
	}
	o.label = label
	a, err := Open(ctx, src, o)
	switch {
	case err != nil && src.Remote():
		return Artifact{}, fmt.Errorf("image %s: %w", label, err)
	case err != nil:
		return Artifact{}, inputs.Errorf("image", "%s: %w", label, err)
	}
	return a, nil
}

// Deferred holds the verifications of local sources opened with
// Options.Defer: reading every blob of a large image takes a while, which a
// publish spends asking the registry what it has instead of waiting.
type Deferred struct {
	mu     sync.Mutex
	checks []deferredCheck
}

type deferredCheck struct {
	label string
	run   func(context.Context) error
}

func (d *Deferred) add(label string, run func(context.Context) error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checks = append(d.checks, deferredCheck{label: label, run: run})
}

// take moves other's verifications after d's own.
func (d *Deferred) take(other *Deferred) {
	other.mu.Lock()
	checks := other.checks
	other.checks = nil
	other.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checks = append(d.checks, checks...)
}

// Run verifies every source, in image order, and returns the first
// failure: the user's to fix, as when a source is verified on opening.
func (d *Deferred) Run(ctx context.Context) error {
	d.mu.Lock()
	checks := slices.Clone(d.checks)
	d.mu.Unlock()
	for _, c := range checks {
		err := c.run(ctx)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return err
		}
		return inputs.Errorf("image", "%s: %w", c.label, err)
	}
	return nil
}
