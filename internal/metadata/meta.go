package metadata

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Version is what the rules make: the main version, the other tags, and
// whether latest goes with them.
type Version struct {
	Main    string
	Partial []string
	Latest  bool
}

// Engine evaluates rules against one context.
type Engine struct {
	ctx      Context
	flavor   Flavor
	Warnings []string // what metadata-action logs as warnings
}

// NewEngine prepares rules for ctx.
func NewEngine(ctx Context, flavor Flavor) *Engine {
	if ctx.CommitDate.IsZero() {
		ctx.CommitDate = ctx.Now
	}
	return &Engine{ctx: ctx, flavor: flavor}
}

// Version evaluates the rules in order, as metadata-action's getVersion.
func (e *Engine) Version(rules []Rule) (Version, error) {
	var v Version
	latestSet := false
	for _, r := range rules {
		enabled, err := e.expand(r.Attrs["enable"])
		if err != nil {
			return Version{}, err
		}
		if enabled != "true" && enabled != "false" {
			return Version{}, fmt.Errorf("enable=%q in %q: it must be true or false, as metadata-action requires; an expression that expands to nothing leaves it empty, so make it give one of the two", enabled, r.Entry)
		}
		if enabled == "false" {
			continue
		}
		val, latest, ok, err := e.evaluate(r)
		if err != nil {
			return Version{}, err
		}
		if !ok || val == "" {
			continue
		}
		val = SanitizeTag(val)
		switch {
		case v.Main == "":
			v.Main = val
		case val != v.Main && !slices.Contains(v.Partial, val):
			v.Partial = append(v.Partial, val)
		}
		if !latestSet {
			v.Latest, latestSet = e.latest(latest), true
		}
	}
	return v, nil
}

// latest applies flavor latest=auto|true|false to a rule's own answer.
func (e *Engine) latest(auto bool) bool {
	switch e.flavor.Latest {
	case "true":
		return true
	case "false":
		return false
	}
	return auto
}

var invalidTagChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// SanitizeTag replaces each run of characters a tag cannot hold with "-".
func SanitizeTag(s string) string { return invalidTagChars.ReplaceAllString(s, "-") }

// withAffixes adds the rule's prefix and suffix, else the flavor's.
func (e *Engine) withAffixes(val string, r Rule) (string, error) {
	prefix, ok := r.Attrs["prefix"]
	if !ok {
		prefix = e.flavor.Prefix
	}
	suffix, ok := r.Attrs["suffix"]
	if !ok {
		suffix = e.flavor.Suffix
	}
	p, err := e.expand(prefix)
	if err != nil {
		return "", err
	}
	s, err := e.expand(suffix)
	return p + val + s, err
}

// expand renders the global expressions ({{branch}}, {{date …}}, …).
func (e *Engine) expand(s string) (string, error) {
	c := e.ctx
	helpers := map[string]helper{
		"branch":            value(trimRef(c.Ref, "refs/heads/")),
		"tag":               value(trimRef(c.Ref, "refs/tags/")),
		"sha":               value(c.shortSHA()),
		"base_ref":          value(e.baseRef()),
		"is_default_branch": value(e.isDefaultBranch()),
		// metadata-action v5.6: the negation, for enable= on other branches.
		"is_not_default_branch": value(map[string]string{"true": "false", "false": "true"}[e.isDefaultBranch()]),
		"date":                  dateHelper(c.Now),
		"commit_date":           dateHelper(c.CommitDate),
	}
	return render(s, helpers)
}

func trimRef(ref, prefix string) string {
	if !strings.HasPrefix(ref, prefix) {
		return ""
	}
	return strings.TrimPrefix(ref, prefix)
}

func (e *Engine) baseRef() string {
	if strings.HasPrefix(e.ctx.Ref, "refs/tags/") || strings.HasPrefix(e.ctx.Ref, "refs/pull/") {
		return strings.TrimPrefix(e.ctx.BaseRef, "refs/heads/")
	}
	return ""
}

// isDefaultBranch follows metadata-action: the ref's branch is the default
// one, or the event is one that always runs on it.
func (e *Engine) isDefaultBranch() string {
	branch := strings.TrimPrefix(e.ctx.Ref, "refs/heads/")
	switch {
	case branch == "":
		return "false"
	case e.ctx.DefaultBranch != "" && branch == e.ctx.DefaultBranch:
		return "true"
	}
	for _, ev := range []string{"create", "discussion", "issues", "schedule"} {
		if strings.Contains(e.ctx.EventName, ev) {
			return "true"
		}
	}
	return "false"
}
