package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/shiptag/shiptag/internal/metadata"
)

// MetaDocument is the JSON of `shiptag meta --output json`.
type MetaDocument struct {
	Version     string            `json:"version"`
	Tags        []string          `json:"tags"`
	TagNames    []string          `json:"tag-names"`
	Labels      map[string]string `json:"labels"`
	Annotations []string          `json:"annotations"`

	labelLines []string // KEY=VALUE in metadata-action's order
}

// NewMetaDocument converts a meta result.
func NewMetaDocument(r metadata.Result) MetaDocument {
	d := MetaDocument{Version: r.Version.Main, Tags: nonNil(r.Tags), TagNames: nonNil(r.TagNames),
		Labels: map[string]string{}, Annotations: nonNil(r.Annotations), labelLines: r.Labels}
	for _, l := range r.Labels {
		k, v, _ := strings.Cut(l, "=")
		d.Labels[k] = v
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// actionJSON is metadata-action's json output: tags, labels, annotations.
func (d MetaDocument) actionJSON() string {
	return compactAny(struct {
		Tags        []string          `json:"tags"`
		TagNames    []string          `json:"tag-names"`
		Labels      map[string]string `json:"labels"`
		Annotations []string          `json:"annotations"`
	}{d.Tags, d.TagNames, d.Labels, d.Annotations})
}

// WriteMetaText writes the result for people.
func WriteMetaText(w io.Writer, d MetaDocument) error {
	fmt.Fprintf(w, "version: %s\ntags:\n", d.Version)
	for _, t := range d.Tags {
		fmt.Fprintf(w, "  %s\n", t)
	}
	fmt.Fprintln(w, "labels:")
	for _, l := range d.labelLines {
		fmt.Fprintf(w, "  %s\n", l)
	}
	fmt.Fprintln(w, "annotations:")
	for _, a := range d.Annotations {
		fmt.Fprintf(w, "  %s\n", a)
	}
	return nil
}
