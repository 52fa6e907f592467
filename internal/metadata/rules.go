package metadata

import (
	"fmt"
	"slices"
	"strconv"
)

// Rule is one entry of the tags input: a type and its attributes.
type Rule struct {
	Type  string
	Attrs map[string]string
	Entry string // the entry as written, for errors
}

// The rule types and the priority each gets by default.
var defaultPriority = map[string]string{
	"schedule": "1000", "semver": "900", "pep440": "900", "match": "800",
	"edge": "700", "ref": "600", "raw": "200", "sha": "100",
}

// DefaultRules are the rules when the tags input is empty.
var DefaultRules = []string{"type=schedule", "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr"}

// ParseRules parses the tags input, one rule per entry, and orders the rules
// by priority, highest first (a stable sort, as in metadata-action).
func ParseRules(entries []string) ([]Rule, error) {
	if len(entries) == 0 {
		entries = DefaultRules
	}
	rules := make([]Rule, 0, len(entries))
	for _, e := range entries {
		r, err := ParseRule(e)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	slices.SortStableFunc(rules, func(a, b Rule) int {
		pa, _ := strconv.ParseFloat(a.Attrs["priority"], 64)
		pb, _ := strconv.ParseFloat(b.Attrs["priority"], 64)
		switch {
		case pa > pb:
			return -1
		case pa < pb:
			return 1
		}
		return 0
	})
	return rules, nil
}

// ParseRule parses one entry, filling in each type's defaults.
func ParseRule(entry string) (Rule, error) {
	fs, err := fields(entry)
	if err != nil {
		return Rule{}, err
	}
	r := Rule{Attrs: map[string]string{}, Entry: entry}
	for _, f := range fs {
		key, value, ok := keyValue(f)
		switch {
		case !ok:
			r.Attrs["value"] = value
		case key == "type":
			if _, known := defaultPriority[value]; !known {
				return Rule{}, fmt.Errorf("unknown tag type %q in %q: use schedule, semver, pep440, match, edge, ref, raw or sha", value, entry)
			}
			r.Type = value
		default:
			r.Attrs[key] = value
		}
	}
	if r.Type == "" {
		r.Type = "raw"
	}
	if err := r.defaults(entry); err != nil {
		return Rule{}, err
	}
	setDefault(r.Attrs, "enable", "true")
	setDefault(r.Attrs, "priority", defaultPriority[r.Type])
	return r, nil
}

func (r Rule) defaults(entry string) error {
	a := r.Attrs
	switch r.Type {
	case "schedule":
		setDefault(a, "pattern", "nightly")
	case "semver", "pep440":
		if _, ok := a["pattern"]; !ok {
			return fmt.Errorf("%q needs a pattern, e.g. pattern={{version}}", entry)
		}
		setDefault(a, "value", "")
	case "match":
		if _, ok := a["pattern"]; !ok {
			return fmt.Errorf("%q needs a pattern, e.g. pattern=v(.*),group=1", entry)
		}
		setDefault(a, "group", "0")
		if _, err := strconv.Atoi(a["group"]); err != nil {
			return fmt.Errorf("%q: group %q is not a number", entry, a["group"])
		}
		setDefault(a, "value", "")
	case "edge":
		setDefault(a, "branch", "")
	case "ref":
		switch a["event"] {
		case "branch", "tag":
		case "pr":
			setDefault(a, "prefix", "pr-")
		case "":
			return fmt.Errorf("%q needs an event: branch, tag or pr", entry)
		default:
			return fmt.Errorf("%q: unknown event %q, use branch, tag or pr", entry, a["event"])
		}
	case "raw":
		if _, ok := a["value"]; !ok {
			return fmt.Errorf("%q needs a value, e.g. type=raw,value=latest", entry)
		}
	case "sha":
		setDefault(a, "prefix", "sha-")
		setDefault(a, "format", "short")
		if a["format"] != "short" && a["format"] != "long" {
			return fmt.Errorf("%q: format %q is not short or long", entry, a["format"])
		}
	}
	return nil
}

func setDefault(a map[string]string, key, value string) {
	if _, ok := a[key]; !ok {
		a[key] = value
	}
}
