// Package export copies images to references the user names with templates,
// without the meta-information of publishing: werf's export. A template such
// as "registry.example.com/mirror/%image_slug%:v1" is expanded per image, and
// every result is validated before anything is pushed.
package export

import (
	"errors"
	"fmt"
	"strings"
)

// The shortcuts a template may use.
const (
	ShortcutImage           = "image"                   // the image name, verbatim
	ShortcutImageSlug       = "image_slug"              // slug of the name, no hash
	ShortcutImageSafeSlug   = "image_safe_slug"         // docker-tag slug of the name, hashed when changed
	ShortcutContentBasedTag = "image_content_based_tag" // see ContentBasedTag
)

var shortcuts = []string{ShortcutImage, ShortcutImageSlug, ShortcutImageSafeSlug, ShortcutContentBasedTag}

// Template is a parsed --tag value.
type Template struct {
	Raw   string
	parts []part
}

type part struct {
	text     string
	shortcut string // set for a %shortcut%, text empty
}

// ParseTemplate reads a template. A shortcut is %name%, spaces allowed
// inside the percent signs; a % that opens no known shortcut is an error.
func ParseTemplate(raw string) (Template, error) {
	t := Template{Raw: raw}
	rest := raw
	for rest != "" {
		open := strings.IndexByte(rest, '%')
		if open < 0 {
			t.parts = append(t.parts, part{text: rest})
			break
		}
		if open > 0 {
			t.parts = append(t.parts, part{text: rest[:open]})
		}
		closing := strings.IndexByte(rest[open+1:], '%')
		if closing < 0 {
			return Template{}, fmt.Errorf("template %q: the %% at byte %d opens a shortcut that is never closed; write %%image%%, %%image_slug%%, %%image_safe_slug%% or %%image_content_based_tag%%",
				raw, len(raw)-len(rest)+open)
		}
		name := strings.TrimSpace(rest[open+1 : open+1+closing])
		if err := checkShortcut(raw, name); err != nil {
			return Template{}, err
		}
		t.parts = append(t.parts, part{shortcut: name})
		rest = rest[open+closing+2:]
	}
	return t, nil
}

func checkShortcut(raw, name string) error {
	if name == "" {
		return fmt.Errorf("template %q: %%%% (or a lone %%) is not a shortcut; use %%image%%, %%image_slug%%, %%image_safe_slug%% or %%image_content_based_tag%%", raw)
	}
	for _, s := range shortcuts {
		if s == name {
			return nil
		}
	}
	return fmt.Errorf("template %q: unknown shortcut %%%s%%; use %%image%%, %%image_slug%%, %%image_safe_slug%% or %%image_content_based_tag%%", raw, name)
}

// Uses reports whether the template has any of the shortcuts.
func (t Template) Uses(names ...string) bool {
	for _, p := range t.parts {
		for _, n := range names {
			if p.shortcut == n {
				return true
			}
		}
	}
	return false
}

// Expand replaces every shortcut with its value.
func (t Template) Expand(values map[string]string) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.shortcut == "" {
			b.WriteString(p.text)
			continue
		}
		v, ok := values[p.shortcut]
		if !ok {
			return "", errors.New("no value for %" + p.shortcut + "%")
		}
		b.WriteString(v)
	}
	return b.String(), nil
}
