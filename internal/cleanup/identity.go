package cleanup

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/stages"
)

// isStage reports whether the item is a stage pushed by publish --stages:
// only a stage has both its tag form and werf-image=false. A label alone,
// which a source built FROM a stage may inherit, never makes one.
func isStage(it Item) bool {
	return strings.HasPrefix(it.Tag, stages.TagPrefix) && it.WerfImage == "false"
}

// identityMismatch says why the item's labels do not describe the item's
// own reference, or "" when they do: werf-docker-image-name is REPO:TAG, and
// werf-image-tag is TAG without the monorepo prefix. A tag that another tool
// put on a shiptag image, or labels copied from the image a source was
// promoted from, describe another reference: such a tag is kept.
func identityMismatch(it Item) string {
	if it.Describes == "" {
		return "no werf-docker-image-name label: the labels do not say which reference they describe"
	}
	if !sameReference(it.Describes, it.Ref) {
		return fmt.Sprintf("the labels describe %s, not this tag (retagged by another tool, or promoted): kept", it.Describes)
	}
	if want := strings.TrimPrefix(it.Tag, it.Prefix); it.ImageTag != want {
		return fmt.Sprintf("the labels describe %s with werf-image-tag %q, not %q: kept", it.Describes, it.ImageTag, want)
	}
	return ""
}

// sameReference compares two references as a registry sees them, so that
// "docker.io/x/y:t" and "index.docker.io/x/y:t" are one.
func sameReference(a, b string) bool {
	if a == b {
		return true
	}
	ra, errA := name.ParseReference(a)
	rb, errB := name.ParseReference(b)
	return errA == nil && errB == nil && ra.Name() == rb.Name()
}
