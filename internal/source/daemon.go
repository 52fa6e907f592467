package source

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/shiptag/shiptag/internal/engine"
)

// openDaemon exports an image from the Docker Engine (what `docker save`
// does) into a file under o.TempDir, and opens that archive: one export,
// read from disk, so memory stays flat whatever the image's size. The
// engine is the one the docker CLI would use (see package engine); GitHub
// mounts the engine's socket into Docker container actions, so images
// built by earlier steps are reachable.
func openDaemon(ctx context.Context, image string, o Options) (Artifact, error) {
	c, where, err := engine.Connect(o.Engine)
	if err != nil {
		return Artifact{}, err
	}
	defer c.Close()
	if !strings.Contains(image[strings.LastIndex(image, "/")+1:], ":") && !strings.Contains(image, "@") {
		image += ":latest"
	}
	saved, err := c.ImageSave(ctx, []string{image})
	if err != nil {
		return Artifact{}, fmt.Errorf("asking the Docker Engine (%s) for %s: %w", where, image, err)
	}
	defer saved.Close()
	f, err := os.CreateTemp(o.TempDir, "docker-daemon-*.tar")
	if err != nil {
		return Artifact{}, err
	}
	defer f.Close()
	if _, err := io.Copy(f, saved); err != nil {
		return Artifact{}, fmt.Errorf("reading %s from the Docker Engine (%s): %w", image, where, err)
	}
	if err := f.Close(); err != nil {
		return Artifact{}, err
	}
	img, err := tarball.ImageFromPath(f.Name(), nil)
	if err != nil {
		return Artifact{}, err
	}
	return Artifact{Image: img}, nil
}
