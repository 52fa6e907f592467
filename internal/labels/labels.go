// Package labels writes the meta-information of spec §4 into published
// images: werf's labels, which name the tag and the strategy that made it so
// that deploy and cleanup tools can read them back, plus the OCI revision,
// source and created labels and the user's own. Only the image config
// changes; layers stay byte for byte as built.
package labels

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// Mode says which meta-information labels an image gets.
type Mode string

const (
	// PerTag writes every label, so each tag is its own image (same layers).
	PerTag Mode = "per-tag"
	// Shared writes only tag-independent labels: all tags share one digest.
	Shared Mode = "shared"
	// None publishes the source unchanged (user labels aside).
	None Mode = "none"
)

// ParseMode checks a --meta-labels value.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case PerTag, Shared, None:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown meta-labels mode %q: use %q, %q or %q", s, PerTag, Shared, None)
}

// Image is what the labels say about the image, whatever the tag.
type Image struct {
	Name      string // "" for the nameless image
	Revision  string // the commit
	SourceURL string // the repository's web address
	// Created overrides the source's creation time (SOURCE_DATE_EPOCH).
	Created *time.Time
	// User are --add-label pairs, applied last and in order.
	User []Pair
}

// Tag is what the per-tag labels say about one reference.
type Tag struct {
	Tag, Strategy, Ref string
}

// Pair is one label.
type Pair struct{ Key, Value string }

// Set returns the labels for an image created at created, for tag t (nil in
// shared mode).
func Set(mode Mode, img Image, t *Tag, created time.Time) map[string]string {
	l := map[string]string{}
	if mode != None {
		l[KeyImage] = "true"
		l[KeyImageName] = img.Name
		l["werf-image-version"] = "1"
		if img.Revision != "" {
			l["org.opencontainers.image.revision"] = img.Revision
		}
		if img.SourceURL != "" {
			l["org.opencontainers.image.source"] = img.SourceURL
		}
		if img.Created != nil {
			created = *img.Created
		}
		if !created.IsZero() {
			l[KeyCreated] = created.UTC().Format(time.RFC3339)
		}
	}
	if mode == PerTag && t != nil {
		l[KeyImageTag] = t.Tag
		l[KeyTagStrategy] = t.Strategy
		l[KeyDockerImageName] = t.Ref
	}
	for _, p := range img.User {
		l[p.Key] = p.Value
	}
	return l
}

// ParsePairs reads k=v entries (--add-label); a later key wins.
func ParsePairs(entries []string) ([]Pair, error) {
	pairs := make([]Pair, 0, len(entries))
	for _, e := range entries {
		k, v, ok := strings.Cut(e, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%q is not a label: write KEY=VALUE with a non-empty KEY", e)
		}
		pairs = append(pairs, Pair{Key: strings.TrimSpace(k), Value: v})
	}
	return pairs, nil
}

// Editor returns the Editor that publish applies to a source: in per-tag
// and shared modes it first removes every werf label the source inherited
// (from a werf stage it was built FROM, or from an earlier publish it was
// promoted from), so that the meta-information describes this publish only;
// cleanup would otherwise take a promoted or stage-based image for what its
// ancestor was. In none mode the source is kept as it is, but for the user's
// labels.
func (m Mode) Editor(img Image, t *Tag) Editor {
	return func(l map[string]string, created time.Time) {
		if m != None {
			Clean(l)
		}
		maps.Copy(l, Set(m, img, t, created))
	}
}

// Clean removes the meta-information labels (every key starting with
// "werf"), so that nothing that reads them, cleanup above all, ever takes an
// exported image for one of its own.
func Clean(l map[string]string) {
	for k := range l {
		if strings.HasPrefix(k, "werf") {
			delete(l, k)
		}
	}
}
