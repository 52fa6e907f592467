// Package tagging turns werf's tag parameters and the tag-or-branch strategy
// into the ordered list of tags every image is published under. Each tag
// keeps the strategy that made it, because the published image records it
// and cleanup later decides by it.
package tagging

import (
	"errors"
	"fmt"
	"slices"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/slug"
)

// Strategy records how a tag was made (werf's werf-tag-strategy label).
type Strategy string

const (
	GitTag    Strategy = "git-tag"    // the slug of a git tag
	GitBranch Strategy = "git-branch" // the slug of a git branch
	GitCommit Strategy = "git-commit" // the slug of a commit
	Custom    Strategy = "custom"     // a tag the user gave verbatim
)

// Tag is one tag and how it was made.
type Tag struct {
	Value    string
	Strategy Strategy
}

// Params are werf's tag parameters, as the user gave them (before slugs),
// and tags other rules made (docker/metadata-action's).
type Params struct {
	GitTag, GitBranch, GitCommit string
	Custom                       []string
	// Rules are tags made by metadata-action's rules (--tags): they come
	// last, recorded as custom, and one that repeats an earlier tag is
	// dropped, the earlier one already saying how it was made.
	Rules []string
}

// TaggingStrategy names a rule that fills tag parameters from the CI job.
type TaggingStrategy string

const (
	// None uses only the parameters the user gave.
	None TaggingStrategy = "none"
	// TagOrBranch adds the job's git tag, or else its branch.
	TagOrBranch TaggingStrategy = "tag-or-branch"
)

// ParseTaggingStrategy checks a --tagging-strategy value.
func ParseTaggingStrategy(s string) (TaggingStrategy, error) {
	switch TaggingStrategy(s) {
	case None, TagOrBranch:
		return TaggingStrategy(s), nil
	}
	return "", fmt.Errorf("unknown tagging strategy %q: use %q or %q", s, TagOrBranch, None)
}

// Derive returns the parameter that strategy s takes from the CI facts: the
// git tag if the job runs for one, else the branch. A parameter the user gave
// explicitly wins, in which case Derive returns nothing for it.
func Derive(s TaggingStrategy, facts ci.Facts, explicit Params) (*Tag, error) {
	if s != TagOrBranch {
		return nil, nil
	}
	switch {
	case facts.GitTag != "":
		if explicit.GitTag != "" {
			return nil, nil
		}
		return &Tag{Value: facts.GitTag, Strategy: GitTag}, nil
	case facts.GitBranch != "":
		if explicit.GitBranch != "" {
			return nil, nil
		}
		return &Tag{Value: facts.GitBranch, Strategy: GitBranch}, nil
	}
	return nil, inputs.Errorf("tagging-strategy", "tag-or-branch found no git tag or branch on %s (looked at %s); "+
		"run in a branch or tag pipeline, or name the branch with %s",
		facts.Platform, facts.Looked, inputs.Name("tag-git-branch"))
}

// Tags returns the tags in their fixed order: the derived one first, then
// git tag, git branch, git commit and the custom tags. Git values are slugged
// by rule; custom tags must already be valid. A tag made twice the same way is
// kept once; a tag made by two strategies is an error, since the published
// image can record only one.
func Tags(derived *Tag, p Params, rule slug.Rule) ([]Tag, error) {
	var tags []Tag
	if derived != nil {
		tags = append(tags, Tag{Value: rule.Apply(derived.Value), Strategy: derived.Strategy})
	}
	for _, g := range []struct {
		value string
		s     Strategy
	}{{p.GitTag, GitTag}, {p.GitBranch, GitBranch}, {p.GitCommit, GitCommit}} {
		if g.value != "" {
			tags = append(tags, Tag{Value: rule.Apply(g.value), Strategy: g.s})
		}
	}
	for _, c := range p.Custom {
		if !slug.IsValidTag(c) {
			return nil, inputs.Errorf("tag-custom", "%q is not a valid docker tag: use 1 to 128 of A-Z a-z 0-9 _ . -, "+
				"not starting with . or -; for free text such as a branch name use %s, which slugs it",
				c, inputs.Name("tag-git-branch"))
		}
		tags = append(tags, Tag{Value: c, Strategy: Custom})
	}
	for _, r := range p.Rules {
		if !slug.IsValidTag(r) {
			return nil, inputs.Errorf("tags", "rule-made tag %q is not a valid docker tag (1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -): change the rule's prefix or value", r)
		}
		if !slices.ContainsFunc(tags, func(t Tag) bool { return t.Value == r }) {
			tags = append(tags, Tag{Value: r, Strategy: Custom})
		}
	}
	if len(tags) == 0 {
		return nil, errNoTags
	}
	return dedupe(tags)
}

var errNoTags = &inputs.Error{Input: "tag parameters", Err: errors.New("no tag to publish under: " +
	"pass --tagging-strategy tag-or-branch on CI, or --tag-custom, --tag-git-tag, --tag-git-branch or --tag-git-commit, " +
	"or --tags rules that make a tag for this event")}

func dedupe(tags []Tag) ([]Tag, error) {
	seen := make(map[string]Strategy, len(tags))
	out := tags[:0]
	for _, t := range tags {
		prev, ok := seen[t.Value]
		switch {
		case !ok:
			seen[t.Value] = t.Strategy
			out = append(out, t)
		case prev != t.Strategy:
			return nil, &inputs.Error{Input: "tag parameters", Err: fmt.Errorf(
				"tag %q is made both as %s and as %s, and a published image records only one; drop one of them",
				t.Value, prev, t.Strategy)}
		}
	}
	return out, nil
}
