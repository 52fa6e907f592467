package metadata

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// semverPattern is node-semver's strict form: an optional "v" or "=",
// numbers without leading zeros, a pre-release and build metadata.
var semverPattern = regexp.MustCompile(`^[v=\s]*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*))*))?` +
	`(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)

// semver is a parsed version and the values its patterns can name.
type semver struct {
	raw, major, minor, patch, prerelease, build string
}

func parseSemver(s string) (semver, bool) {
	m := semverPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return semver{}, false
	}
	return semver{raw: s, major: m[1], minor: m[2], patch: m[3], prerelease: m[4], build: m[5]}, true
}

// version is node-semver's .version: the build metadata is not part of it.
func (v semver) version() string {
	out := v.major + "." + v.minor + "." + v.patch
	if v.prerelease != "" {
		out += "-" + v.prerelease
	}
	return out
}

func (v semver) helpers() map[string]helper {
	return map[string]helper{"raw": value(v.raw), "version": value(v.version()), "major": value(v.major),
		"minor": value(v.minor), "patch": value(v.patch), "prerelease": value(strings.ReplaceAll(v.prerelease, ".", ",")),
		"build": value(strings.ReplaceAll(v.build, ".", ","))}
}

// pep440Pattern is PEP 440's own regular expression (its appendix B).
var pep440Pattern = regexp.MustCompile(`(?i)^\s*v?(?:(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)` +
	`([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?([0-9]+)?)?` +
	`((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?` +
	`([-_.]?(dev)[-_.]?([0-9]+)?)?)(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$`)

// pep440 is a parsed PEP 440 version.
type pep440 struct {
	raw                     string
	epoch                   int
	release                 []int
	preL                    string
	preN                    int
	post, dev               int // -1 when absent
	local                   string
	hasPre, hasPost, hasDev bool // which parts are present
}

func parsePEP440(s string) (pep440, bool) {
	m := pep440Pattern.FindStringSubmatch(s)
	if m == nil {
		return pep440{}, false
	}
	v := pep440{raw: s, post: -1, dev: -1}
	v.epoch, _ = strconv.Atoi(m[1])
	for _, r := range strings.Split(m[2], ".") {
		n, _ := strconv.Atoi(r)
		v.release = append(v.release, n)
	}
	if m[4] != "" {
		v.hasPre = true
		v.preL = map[string]string{"a": "a", "alpha": "a", "b": "b", "beta": "b", "c": "rc", "rc": "rc", "pre": "rc", "preview": "rc"}[strings.ToLower(m[4])]
		v.preN, _ = strconv.Atoi(m[5])
	}
	if m[6] != "" {
		v.hasPost = true
		n := m[7]
		if n == "" {
			n = m[9]
		}
		v.post, _ = strconv.Atoi(n)
	}
	if m[11] != "" {
		v.hasDev = true
		v.dev, _ = strconv.Atoi(m[12])
	}
	v.local = strings.ToLower(strings.NewReplacer("-", ".", "_", ".").Replace(m[13]))
	return v, true
}

// clean is the normalized form (pep440.clean): "1.2.3beta2" is "1.2.3b2".
func (v pep440) clean() string {
	var b strings.Builder
	if v.epoch != 0 {
		fmt.Fprintf(&b, "%d!", v.epoch)
	}
	for i, r := range v.release {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprint(&b, r)
	}
	if v.hasPre {
		fmt.Fprintf(&b, "%s%d", v.preL, v.preN)
	}
	if v.hasPost {
		fmt.Fprintf(&b, ".post%d", v.post)
	}
	if v.hasDev {
		fmt.Fprintf(&b, ".dev%d", v.dev)
	}
	if v.local != "" {
		b.WriteString("+" + v.local)
	}
	return b.String()
}

func (v pep440) segment(i int) string {
	if i < len(v.release) {
		return fmt.Sprint(v.release[i])
	}
	return "0"
}

func (v pep440) helpers() map[string]helper {
	return map[string]helper{"raw": value(v.raw), "version": value(v.clean()), "major": value(v.segment(0)),
		"minor": value(v.segment(1)), "patch": value(v.segment(2))}
}
