package metadata

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// evaluate returns a rule's tag (before sanitizing), whether latest comes
// with it in flavor latest=auto, and whether the rule applies at all.
func (e *Engine) evaluate(r Rule) (val string, latest, ok bool, err error) {
	ref := e.ctx.Ref
	switch r.Type {
	case "schedule":
		if !strings.Contains(e.ctx.EventName, "schedule") {
			return "", false, false, nil
		}
		val, err = render(r.Attrs["pattern"], map[string]helper{"date": dateHelper(e.ctx.Now), "commit_date": dateHelper(e.ctx.CommitDate)})
	case "semver", "pep440":
		return e.version(r)
	case "match":
		return e.match(r)
	case "ref":
		return e.ref(r)
	case "edge":
		branch := trimRef(ref, "refs/heads/")
		want := r.Attrs["branch"]
		if want == "" {
			want = e.ctx.DefaultBranch
		}
		if branch == "" || branch != want {
			return "", false, false, nil
		}
		val = "edge"
	case "raw":
		val, err = e.expand(r.Attrs["value"])
	case "sha":
		if e.ctx.SHA == "" {
			return "", false, false, nil
		}
		val = e.ctx.SHA
		if r.Attrs["format"] == "short" {
			val = e.ctx.shortSHA()
		}
	}
	if err != nil {
		return "", false, false, err
	}
	val, err = e.withAffixes(val, r)
	return val, false, err == nil, err
}

// source is the value a semver, pep440 or match rule reads: its value
// attribute, else the pushed git tag; ok is false when there is neither.
func (e *Engine) source(r Rule) (string, bool, error) {
	if v := r.Attrs["value"]; v != "" {
		s, err := e.expand(v)
		return s, true, err
	}
	tag := trimRef(e.ctx.Ref, "refs/tags/")
	return tag, tag != "", nil
}

// versionText is what a semver or pep440 rule parses, as metadata-action v6
// makes it: the source, cut down to the first group of the match attribute
// when there is one and it matches (a warning when it does not), then every
// "/" turned into "-".
func (e *Engine) versionText(r Rule) (string, bool, error) {
	vraw, ok, err := e.source(r)
	if err != nil || !ok {
		return "", false, err
	}
	if expr := r.Attrs["match"]; expr != "" {
		re, err := regexp.Compile(expr)
		if err != nil {
			return "", false, fmt.Errorf("match=%q of %q is not a regular expression shiptag reads (Go RE2 syntax, no lookaround): %w", expr, r.Entry, err)
		}
		switch m := re.FindStringSubmatchIndex(vraw); {
		case m == nil:
			e.Warnings = append(e.Warnings, expr+" does not match "+vraw+".")
		case len(m) < 4 || m[2] < 0:
			return "", false, fmt.Errorf("match=%q of %q has no first group that matched %q: put the version in parentheses, e.g. match=v(\\d.*)", expr, r.Entry, vraw)
		default:
			vraw = vraw[m[2]:m[3]]
		}
	}
	return strings.ReplaceAll(vraw, "/", "-"), true, nil
}

var rawOnly = regexp.MustCompile(`^\{\{\s*raw\s*\}\}$`)

// version is type=semver and type=pep440. A pre-release (and for PEP 440
// also a post or dev release) gives only {{version}}, or {{raw}} when the
// pattern is exactly that, and never latest.
func (e *Engine) version(r Rule) (string, bool, bool, error) {
	vraw, ok, err := e.versionText(r)
	if err != nil || !ok {
		return "", false, false, err
	}
	pattern := r.Attrs["pattern"]
	var helpers map[string]helper
	stable := false
	if r.Type == "semver" {
		sv, valid := parseSemver(vraw)
		if !valid {
			e.Warnings = append(e.Warnings, vraw+" is not a valid semver. More info: https://semver.org/")
			return "", false, false, nil
		}
		helpers, stable = sv.helpers(), sv.prerelease == ""
		if !stable && !rawOnly.MatchString(pattern) {
			pattern = "{{version}}"
		}
	} else {
		pv, valid := parsePEP440(vraw)
		if !valid {
			e.Warnings = append(e.Warnings, vraw+" does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440")
			return "", false, false, nil
		}
		helpers, stable = pv.helpers(), !pv.hasPre && !pv.hasPost && !pv.hasDev
		if !stable {
			pattern = "{{version}}"
			if rawOnly.MatchString(r.Attrs["pattern"]) {
				pattern = "{{raw}}"
			}
		}
	}
	val, err := render(pattern, helpers)
	if err != nil {
		return "", false, false, err
	}
	val, err = e.withAffixes(val, r)
	return val, stable, err == nil, err
}

// match is type=match: a regular expression over the git tag (or value),
// written plainly or as /expr/flags.
func (e *Engine) match(r Rule) (string, bool, bool, error) {
	vraw, ok, err := e.source(r)
	if err != nil || !ok {
		return "", false, false, err
	}
	expr, global := r.Attrs["pattern"], false
	if m := regexp.MustCompile(`^/(.+)/(.*)$`).FindStringSubmatch(expr); m != nil {
		expr = m[1]
		for _, f := range m[2] {
			switch f {
			case 'i', 'm', 's':
				expr = "(?" + string(f) + ")" + expr
			case 'g':
				global = true
			}
		}
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return "", false, false, fmt.Errorf("match pattern %q: %w", r.Attrs["pattern"], err)
	}
	group, _ := strconv.Atoi(r.Attrs["group"])
	var found []string
	if global {
		found = re.FindAllString(vraw, -1)
	} else if idx := re.FindStringSubmatchIndex(vraw); idx != nil {
		for i := 0; i < len(idx); i += 2 {
			if idx[i] < 0 {
				found = append(found, "\x00") // a group that took no part: undefined in JS
			} else {
				found = append(found, vraw[idx[i]:idx[i+1]])
			}
		}
	}
	if found == nil {
		e.Warnings = append(e.Warnings, fmt.Sprintf("%s does not match %s.", r.Attrs["pattern"], vraw))
		return "", false, false, nil
	}
	if group >= len(found) || found[group] == "\x00" {
		e.Warnings = append(e.Warnings, fmt.Sprintf("Group %d does not exist for %s pattern.", group, r.Attrs["pattern"]))
		return "", false, false, nil
	}
	val, err := e.withAffixes(found[group], r)
	return val, true, err == nil, err
}

// ref is type=ref: the branch, the tag (with latest) or the pull request.
func (e *Engine) ref(r Rule) (string, bool, bool, error) {
	var val string
	latest := false
	switch r.Attrs["event"] {
	case "branch":
		val = trimRef(e.ctx.Ref, "refs/heads/")
	case "tag":
		val, latest = trimRef(e.ctx.Ref, "refs/tags/"), true
	case "pr":
		val = strings.TrimSuffix(trimRef(e.ctx.Ref, "refs/pull/"), "/merge")
	}
	if val == "" {
		return "", false, false, nil
	}
	val, err := e.withAffixes(val, r)
	return val, latest, err == nil, err
}
