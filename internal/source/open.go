package source

import (
	"context"
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

// OpenAll parses and opens every source, in order, the one way every command
// opens sources. A source that cannot be parsed or read from local files is
// the user's to fix: an *inputs.Error on --image. A registry or a Docker
// Engine that fails is a runtime failure, wrapped as it is. With localOnly
// (why the command reads local files only, and what to run instead) a
// remote source is refused before anything is read. An image with several
// sources becomes one multi-platform image of them all (Merge).
func OpenAll(ctx context.Context, images []Named, o Options, localOnly string) ([]Artifact, error) {
	artifacts := make([]Artifact, len(images))
	for i, img := range images {
		specs := img.Specs
		if len(specs) == 0 {
			specs = []string{""} // refused by Parse, with the image named
		}
		parts := make([]Artifact, len(specs))
		for j, spec := range specs {
			a, err := openOne(ctx, img.Label, spec, o, localOnly)
			if err != nil {
				return nil, err
			}
			parts[j] = a
		}
		if len(parts) == 1 {
			artifacts[i] = parts[0]
			continue
		}
		a, err := Merge(specs, parts)
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
// Options.Defer: reading every blob of a large image takes a while, which
// a publish spends asking the registry what it has instead of waiting.
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
	d.checks = append(d.checks, deferredCheck{label, run})
}

// Run verifies every source, in the order opened, and returns the first
// failure: the user's to fix, as when a source is verified on opening.
func (d *Deferred) Run(ctx context.Context) error {
	d.mu.Lock()
	checks := slices.Clone(d.checks)
	d.mu.Unlock()
	for _, c := range checks {
		if err := c.run(ctx); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return inputs.Errorf("image", "%s: %w", c.label, err)
		}
	}
	return nil
}
