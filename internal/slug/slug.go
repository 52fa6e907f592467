// Package slug turns free-text git values (tags, branches, commits) into image
// tags. A git value can hold characters an image tag cannot, so each rule keeps
// a readable lowercase form and adds a short hash of the original text whenever
// that form had to change, so that two different branches never share a tag.
//
// Strict is the rule of werf's published examples and the default; it
// transliterates with gosimple/slug. DockerTag is werf's slug.DockerTag
// (as released since December 2019) byte for byte, werf's own table
// of transliterations included; it keeps any value that is already a valid
// docker tag.
package slug

import (
	"fmt"
	"math/bits"
	"regexp"
	"strings"
	"unicode/utf8"

	gosimple "github.com/gosimple/slug"
	"github.com/spaolacci/murmur3"
)

// MaxTagLength is the longest image tag a registry accepts, in bytes.
const MaxTagLength = 128

// Rule names one way of turning a git value into a tag.
type Rule string

const (
	// Strict keeps only values made of [a-z0-9] words joined by single dashes.
	Strict Rule = "strict"
	// DockerTag keeps every value that is already a valid docker tag.
	DockerTag Rule = "docker-tag"
)

// Rules lists every rule, in the order help texts show them.
var Rules = []Rule{Strict, DockerTag}

// ParseRule returns the rule called s, or an error listing the valid names.
func ParseRule(s string) (Rule, error) {
	for _, r := range Rules {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown slug rule %q: use %q or %q", s, Strict, DockerTag)
}

// Apply returns the tag that rule r makes of value.
func (r Rule) Apply(value string) string {
	if r == DockerTag {
		return dockerTag(value)
	}
	return strict(value)
}

var dockerTagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// IsValidTag reports whether s can be used as an image tag as it is.
func IsValidTag(s string) bool {
	return len(s) <= MaxTagLength && dockerTagPattern.MatchString(s)
}

// strict is the default rule: see slug.md, "strict".
func strict(value string) string {
	s := Slugify(value)
	if s == value && value != "" && len(value) <= MaxTagLength {
		return value
	}
	hash := fmt.Sprintf("%08x", bits.ReverseBytes32(murmur32(value)))
	if s == "" {
		return hash
	}
	if limit := MaxTagLength - len(hash) - 1; len(s) > limit {
		s = strings.TrimRight(s[:limit], "-")
	}
	return s + "-" + hash
}

// dockerTag is werf's slug.DockerTag, byte for byte: its hash is not
// zero-padded, a cut may leave a trailing dash, non-ASCII text goes through
// werf's own table, and an empty value stays empty, exactly as werf does,
// since werf's cleanup compares tags byte for byte.
func dockerTag(value string) string {
	if value == "" || IsValidTag(value) {
		return value // werf keeps an empty value empty too
	}
	hash := fmt.Sprintf("%x", murmur32(value))
	s := werfSlugify(value)
	if s == "" {
		return hash
	}
	if limit := MaxTagLength - len(hash) - 1; len(s) > limit {
		s = s[:limit]
	}
	return s + "-" + hash
}

// Slugify is the readable part shared by both rules: lowercase ASCII letters
// and digits, words joined by single dashes. Separator characters become a
// dash, other ASCII punctuation is dropped, and non-ASCII characters are
// transliterated by gosimple/slug first (what has no transliteration is
// dropped).
func Slugify(value string) string {
	var w slugWriter
	w.b.Grow(len(value))
	for i := 0; i < len(value); {
		if value[i] < utf8.RuneSelf {
			w.emit(value[i])
			i++
			continue
		}
		// A whole run of non-ASCII text goes to gosimple/slug at once, so that
		// it can separate the words it transliterates ("中文" → "zhong-wen").
		// gosimple/slug reads package settings; shiptag never changes them.
		end := i + 1
		for end < len(value) && value[end] >= utf8.RuneSelf {
			end++
		}
		w.emitString(gosimple.Make(value[i:end]))
		i = end
	}
	return w.b.String()
}

// slugWriter writes ASCII text as both rules' readable part: letters
// lowercased, digits kept, separators become one dash between words (never
// leading or trailing), other characters dropped.
type slugWriter struct {
	b           strings.Builder
	pendingDash bool
}

func (w *slugWriter) emit(c byte) {
	switch {
	case isSeparator(c):
		w.pendingDash = w.b.Len() > 0
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		if w.pendingDash {
			w.b.WriteByte('-')
			w.pendingDash = false
		}
		w.b.WriteByte(lower(c))
	}
}

func (w *slugWriter) emitString(text string) {
	for i := 0; i < len(text); i++ {
		w.emit(text[i])
	}
}

func isSeparator(c byte) bool {
	return strings.IndexByte(" &()+,-./:;<=>[]_{}~", c) >= 0
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// murmur32 is MurmurHash3 (x86, 32-bit, seed 0) of value. It goes through
// the hash.Hash32 writer rather than murmur3.Sum32, whose uintptr arithmetic
// the race detector's pointer checks reject (it aborts `go test -race`);
// both give the same sum.
func murmur32(value string) uint32 {
	h := murmur3.New32()
	_, _ = h.Write([]byte(value)) // a hash.Hash never returns an error
	return h.Sum32()
}
