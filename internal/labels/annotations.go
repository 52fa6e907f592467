package labels

import (
	"fmt"
	"maps"
	"strings"
)

// Annotations are OCI annotations by where they go, as buildx places
// metadata-action's annotations output (LEVEL:KEY=VALUE, the level one of
// manifest, index, manifest-descriptor, index-descriptor).
type Annotations struct {
	// Manifest goes on every image manifest (each platform's in an index).
	Manifest map[string]string
	// Index goes on an index manifest; a single image has none to carry it.
	Index map[string]string
	// ManifestDescriptor goes on each platform's entry in an index.
	ManifestDescriptor map[string]string
	// IndexDescriptor is an OCI layout's index.json entry, which a
	// registry push has no place for; it is kept only to be reported.
	IndexDescriptor map[string]string
}

// annotationLevels are buildx's level names, the ones metadata-action's
// DOCKER_METADATA_ANNOTATIONS_LEVELS takes.
var annotationLevels = []string{"manifest", "index", "manifest-descriptor", "index-descriptor"}

// ParseAnnotations reads LEVEL:KEY=VALUE entries; an entry without a known
// level prefix is a manifest annotation, as in buildx. A later entry for the
// same level and key wins.
func ParseAnnotations(entries []string) (Annotations, error) {
	var a Annotations
	for _, e := range entries {
		level, pair := "manifest", e
		if l, rest, ok := strings.Cut(e, ":"); ok && isLevel(l) {
			level, pair = l, rest
		}
		key, value, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(key) == "" {
			return Annotations{}, fmt.Errorf("annotation %q: write [LEVEL:]KEY=VALUE, LEVEL one of %s", e, strings.Join(annotationLevels, ", "))
		}
		target := a.level(level)
		if *target == nil {
			*target = map[string]string{}
		}
		(*target)[key] = value
	}
	return a, nil
}

func isLevel(s string) bool {
	for _, l := range annotationLevels {
		if s == l {
			return true
		}
	}
	return false
}

func (a *Annotations) level(name string) *map[string]string {
	switch name {
	case "index":
		return &a.Index
	case "manifest-descriptor":
		return &a.ManifestDescriptor
	case "index-descriptor":
		return &a.IndexDescriptor
	}
	return &a.Manifest
}

// Empty reports whether a has nothing to place.
func (a Annotations) Empty() bool {
	return len(a.Manifest)+len(a.Index)+len(a.ManifestDescriptor)+len(a.IndexDescriptor) == 0
}

// merged returns base with extra laid over it, or base itself (nil stays
// nil) when extra adds nothing.
func merged(base, extra map[string]string) map[string]string {
	if len(extra) == 0 {
		return base
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, extra)
	return out
}
