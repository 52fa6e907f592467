package plan

import (
	"strings"

	"github.com/shiptag/shiptag/internal/inputs"
)

// ParseImages reads --image entries: NAME=SOURCE, NAME (enough for plan), and
// =SOURCE or an empty entry for the nameless image. No entry at all means one
// nameless image. A name given again with another source adds that source:
// the image is then the merge of its sources, one platform each (builds of
// each platform on its own runner). At most one image is nameless.
func ParseImages(entries []string) ([]Image, error) {
	if len(entries) == 0 {
		return []Image{{}}, nil
	}
	images := make([]Image, 0, len(entries))
	seen := map[string]int{} // name → index in images
	first := map[string]string{}
	for _, e := range entries {
		name, source, _ := strings.Cut(e, "=")
		name, source = strings.TrimSpace(name), strings.TrimSpace(source)
		if name == "" && source == "" && strings.Contains(e, "=") {
			return nil, inputs.Errorf("image", "%q names no image and no source: write =SOURCE for the nameless image, or NAME=SOURCE", e)
		}
		if strings.Contains(name, ":") {
			return nil, inputs.Errorf("image", "%q looks like a source, not a name: write %q for the nameless image or %q", e, "="+e, "NAME="+e)
		}
		if k, dup := seen[name]; dup {
			prev := first[name]
			switch {
			case source != "" && len(images[k].Sources) > 0:
				images[k].Sources = append(images[k].Sources, source)
				continue
			case name == "":
				return nil, inputs.Errorf("image", "two nameless images (%q and %q): give all but one a name, e.g. NAME=SOURCE", prev, e)
			}
			return nil, inputs.Errorf("image", "image %q is given twice (%q and %q): give each image its own name, "+
				"or a source to each entry to merge their platforms into one image", name, prev, e)
		}
		seen[name], first[name] = len(images), e
		img := Image{Name: name}
		if source != "" {
			img.Sources = []string{source}
		}
		images = append(images, img)
	}
	return images, nil
}

// HasSource reports whether the image was given a source.
func (img Image) HasSource() bool { return len(img.Sources) > 0 }

// String shows an image's name for people: the nameless image has none.
func (img Image) String() string { return Label(img.Name) }

// Label shows an image name for people, in logs, tables and progress: the
// nameless image's is "(nameless)".
func Label(name string) string {
	if name == "" {
		return "(nameless)"
	}
	return name
}
