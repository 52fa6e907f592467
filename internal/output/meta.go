package output

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/shiptag/shiptag/internal/meta"
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
func NewMetaDocument(r meta.Result) MetaDocument {
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
		Labels      map[string]string `json:"labels"`
		Annotations []string          `json:"annotations"`
	}{d.Tags, d.Labels, d.Annotations})
}

// Separators are metadata-action's sep-tags, sep-labels and sep-annotations.
type Separators struct{ Tags, Labels, Annotations string }

// GitHubMeta writes metadata-action's step outputs: version, tags,
// tag-names, labels, annotations and json.
func GitHubMeta(getenv func(string) string, d MetaDocument, sep Separators) (skipped []string, err error) {
	defer recoverGitHub(&err)
	ok, err := fileVar(getenv, "GITHUB_OUTPUT")
	if err != nil || !ok {
		return []string{"GITHUB_OUTPUT"}, err
	}
	action := githubactions.New(githubactions.WithGetenv(getenv))
	action.SetOutput("version", d.Version)
	action.SetOutput("tags", strings.Join(d.Tags, sep.Tags))
	action.SetOutput("tag-names", strings.Join(d.TagNames, sep.Tags))
	action.SetOutput("labels", strings.Join(d.labelLines, sep.Labels))
	action.SetOutput("annotations", strings.Join(d.Annotations, sep.Annotations))
	action.SetOutput("json", d.actionJSON())
	return nil, nil
}

// GitLabMeta writes the dotenv report: SHIPTAG_META_VERSION, and the tags
// and tag names comma-separated (labels can hold commas and newlines, which
// a dotenv report cannot: they are in --output json).
func GitLabMeta(path string, d MetaDocument) error {
	report := fmt.Sprintf("SHIPTAG_META_VERSION=%s\nSHIPTAG_META_TAGS=%s\nSHIPTAG_META_TAG_NAMES=%s\n",
		d.Version, strings.Join(d.Tags, ","), strings.Join(d.TagNames, ","))
	if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
		return dotenvError(path, err)
	}
	return nil
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
