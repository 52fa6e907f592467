// Package metadata computes tags, labels and annotations from
// docker/metadata-action's rules (tags, flavor, images, labels inputs), so
// that workflows can bring those rules to shiptag unchanged, on GitHub and on
// GitLab. It follows metadata-action v5's code, quirks included; the few
// deliberate differences are in the README ("coming from
// docker/metadata-action").
package metadata

import (
	"fmt"
	"strings"
)

// fields splits one input line as metadata-action does (csv-parse): on
// commas, with double quotes around a field that holds commas and "" for a
// quote inside one.
func fields(line string) ([]string, error) {
	var out []string
	var b strings.Builder
	quoted, inQuotes := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuotes && c == '"' && i+1 < len(line) && line[i+1] == '"':
			b.WriteByte('"')
			i++
		case inQuotes && c == '"':
			inQuotes = false
		case c == '"' && strings.TrimSpace(b.String()) == "" && !quoted:
			inQuotes, quoted = true, true
			b.Reset()
		case c == ',' && !inQuotes:
			out, quoted = append(out, b.String()), false
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	if inQuotes {
		return nil, fmt.Errorf("unclosed quote in %q", line)
	}
	return append(out, b.String()), nil
}

// keyValue splits a field like metadata-action v5: at the first "=", both
// parts trimmed, the key lowercased; ok is false for a field with no "=".
func keyValue(field string) (key, value string, ok bool) {
	k, v, ok := strings.Cut(field, "=")
	if !ok {
		return "", strings.TrimSpace(field), false
	}
	return strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v), true
}
