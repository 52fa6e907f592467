package metadata

import "fmt"

// Flavor is the flavor input: what applies to every tag.
type Flavor struct {
	Latest       string // auto, true or false
	Prefix       string
	PrefixLatest bool
	Suffix       string
	SuffixLatest bool
}

// ParseFlavor parses the flavor input's entries.
func ParseFlavor(entries []string) (Flavor, error) {
	f := Flavor{Latest: "auto"}
	for _, e := range entries {
		fs, err := fields(e)
		if err != nil {
			return Flavor{}, err
		}
		onLatestFor := ""
		for _, field := range fs {
			key, value, ok := keyValue(field)
			if !ok {
				return Flavor{}, fmt.Errorf("flavor entry %q: write KEY=VALUE (latest, prefix, suffix, onlatest)", e)
			}
			switch key {
			case "latest":
				if value != "auto" && value != "true" && value != "false" {
					return Flavor{}, fmt.Errorf("flavor entry %q: latest is auto, true or false", e)
				}
				f.Latest = value
			case "prefix":
				f.Prefix, onLatestFor = value, "prefix"
			case "suffix":
				f.Suffix, onLatestFor = value, "suffix"
			case "onlatest":
				if value != "true" && value != "false" {
					return Flavor{}, fmt.Errorf("flavor entry %q: onlatest is true or false", e)
				}
				switch onLatestFor {
				case "prefix":
					f.PrefixLatest = value == "true"
				case "suffix":
					f.SuffixLatest = value == "true"
				}
			default:
				return Flavor{}, fmt.Errorf("flavor entry %q: unknown key %q (latest, prefix, suffix, onlatest)", e, key)
			}
		}
	}
	return f, nil
}

// Image is one entry of the images input.
type Image struct {
	Name   string
	Enable bool
}

// ParseImages parses the images input. A single line of bare names is the
// old comma-separated form.
func ParseImages(entries []string) ([]Image, error) {
	if len(entries) == 1 {
		fs, err := fields(entries[0])
		if err != nil {
			return nil, err
		}
		var old []Image
		for _, f := range fs {
			if _, name, ok := keyValue(f); !ok {
				old = append(old, Image{Name: name, Enable: true})
			} else {
				old = nil
				break
			}
		}
		if old != nil {
			return old, nil
		}
	}
	var images []Image
	for _, e := range entries {
		img, err := parseImage(e)
		if err != nil {
			return nil, err
		}
		images = append(images, img)
	}
	return images, nil
}

func parseImage(e string) (Image, error) {
	fs, err := fields(e)
	if err != nil {
		return Image{}, err
	}
	img := Image{Enable: true}
	for _, f := range fs {
		key, value, ok := keyValue(f)
		switch {
		case !ok:
			img.Name = value
		case key == "name":
			img.Name = value
		case key == "enable":
			if value != "true" && value != "false" {
				return Image{}, fmt.Errorf("image entry %q: enable is true or false", e)
			}
			img.Enable = value == "true"
		default:
			return Image{}, fmt.Errorf("image entry %q: unknown attribute %q (name, enable)", e, key)
		}
	}
	if img.Name == "" {
		return Image{}, fmt.Errorf("image entry %q has no name", e)
	}
	return img, nil
}
