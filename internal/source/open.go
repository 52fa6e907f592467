package source

import (
	"context"
	"fmt"

	"github.com/shiptag/shiptag/internal/inputs"
)

// Named is one image's source as the user wrote it, with the image's name
// as errors show it.
type Named struct {
	Label, Spec string
}

// Remote reports whether opening s reads the network (a registry, or a
// Docker Engine) rather than local files.
func (s Source) Remote() bool { return s.Transport == Registry || s.Transport == DockerDaemon }

// OpenAll parses and opens every source, in order, the one way every command
// opens sources. A source that cannot be parsed or read from local files is
// the user's to fix: an *inputs.Error on --image. A registry or a Docker
// Engine that fails is a runtime failure, wrapped as it is. With localOnly
// (why the command reads local files only, and what to run instead) a
// remote source is refused before anything is read.
func OpenAll(ctx context.Context, images []Named, o Options, localOnly string) ([]Artifact, error) {
	artifacts := make([]Artifact, len(images))
	for i, img := range images {
		src, err := Parse(img.Spec)
		if err == nil && localOnly != "" && src.Remote() {
			err = fmt.Errorf("%q is in a registry or the Docker Engine, and %s", img.Spec, localOnly)
		}
		if err != nil {
			return nil, inputs.Errorf("image", "%s: %w", img.Label, err)
		}
		a, err := Open(ctx, src, o)
		switch {
		case err != nil && src.Remote():
			return nil, fmt.Errorf("image %s: %w", img.Label, err)
		case err != nil:
			return nil, inputs.Errorf("image", "%s: %w", img.Label, err)
		}
		artifacts[i] = a
	}
	return artifacts, nil
}
