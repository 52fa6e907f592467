package output

import (
	"fmt"
	"strings"

	"github.com/shiptag/shiptag/internal/plan"
)

// Outputs is one command's result in the neutral terms every CI platform
// writes from: the platform picks what it can carry (GitHub step outputs
// and a summary, a GitLab dotenv report) and how, and no document knows
// which platform it is written on.
type Outputs struct {
	// Step are the step outputs, in order (GitHub's GITHUB_OUTPUT).
	Step []Output
	// Summary is a markdown job summary; "" for none.
	Summary string
	// Report are the dotenv report's variables, in order (GitLab's
	// artifacts:reports:dotenv, and --dotenv-file anywhere).
	Report []Output
	// Whole is the document itself, written as JSON beside the report when
	// the report would not fit the platform's limit.
	Whole any
	// Lists says what the report lists, for the note when it does not fit.
	Lists string
}

// Output is one named value.
type Output struct{ Name, Value string }

// Outputs are plan's, publish's and export's outputs. Step outputs hold
// one entry per line, as docker/metadata-action writes lists; the report
// separates them by commas. digests (one per reference, in the order of
// refs) appear once published, stages with --stages.
func (d Document) Outputs(title string) Outputs {
	tags, digests, stages := uniqueTags(d), d.Digests(), d.StageRefs()
	o := Outputs{Summary: summary(title, d), Whole: d, Lists: "the references",
		Step:   []Output{{"tags", strings.Join(tags, "\n")}, {"refs", strings.Join(d.Refs, "\n")}},
		Report: []Output{{"SHIPTAG_REFS", strings.Join(d.Refs, ",")}, {"SHIPTAG_TAGS", strings.Join(tags, ",")}}}
	if digests != nil {
		o.Step = append(o.Step, Output{"digests", strings.Join(digests, "\n")})
		o.Report = append(o.Report, Output{"SHIPTAG_DIGESTS", strings.Join(digests, ",")})
	}
	if stages != nil {
		o.Step = append(o.Step, Output{"stages", strings.Join(stages, "\n")})
		o.Report = append(o.Report, Output{"SHIPTAG_STAGES", strings.Join(stages, ",")})
	}
	o.Step = append(o.Step, Output{"json", compactAny(d)})
	return o
}

// summary is the markdown table of the job summary.
func summary(title string, d Document) string {
	var b strings.Builder
	digests := d.Digests() != nil
	fmt.Fprintf(&b, "### %s\n\n| Image | Tag | Strategy | Reference |", title)
	if digests {
		b.WriteString(" Digest |")
	}
	b.WriteString("\n|---|---|---|---|")
	if digests {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, img := range d.Images {
		for _, t := range img.Tags {
			fmt.Fprintf(&b, "| %s | `%s` | %s | `%s` |", plan.Label(img.Name), t.Tag, t.Strategy, t.Ref)
			if digests {
				fmt.Fprintf(&b, " `%s` |", t.Digest)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// uniqueTags lists the tag values of d in order, each once.
func uniqueTags(d Document) []string {
	var tags []string
	seen := map[string]bool{}
	for _, img := range d.Images {
		for _, t := range img.Tags {
			if !seen[t.Tag] {
				seen[t.Tag] = true
				tags = append(tags, t.Tag)
			}
		}
	}
	return tags
}

// Outputs are cleanup's: the deleted references (with --dry-run in the
// report, those the plan deletes) and the plan as a summary table.
func (d CleanupDocument) Outputs(title string) Outputs {
	refs := d.Deleted
	if d.DryRun {
		refs = d.Delete
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n| Action | Reference | Strategy | Policy | Reason |\n|---|---|---|---|---|\n", title)
	for _, e := range d.Tags {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", e.Action, e.Ref, e.Strategy, e.Policy, strings.ReplaceAll(e.Reason, "|", "\\|"))
	}
	return Outputs{
		Step:    []Output{{"deleted", strings.Join(d.Deleted, "\n")}, {"json", compactAny(d)}},
		Summary: b.String(),
		Report:  []Output{{"SHIPTAG_DELETED", strings.Join(refs, ",")}},
		Whole:   d, Lists: "the deleted references",
	}
}

// Separators are metadata-action's sep-tags, sep-labels and sep-annotations.
type Separators struct{ Tags, Labels, Annotations string }

// Outputs are metadata-action's step outputs (version, tags, tag-names,
// labels, annotations, json) and a report of the version, tags and tag
// names, comma-separated: labels can hold commas and newlines, which a
// dotenv report cannot, so they are in --output json.
func (d MetaDocument) Outputs(sep Separators) Outputs {
	return Outputs{
		Step: []Output{{"version", d.Version}, {"tags", strings.Join(d.Tags, sep.Tags)},
			{"tag-names", strings.Join(d.TagNames, sep.Tags)}, {"labels", strings.Join(d.labelLines, sep.Labels)},
			{"annotations", strings.Join(d.Annotations, sep.Annotations)}, {"json", d.actionJSON()}},
		Report: []Output{{"SHIPTAG_META_VERSION", d.Version}, {"SHIPTAG_META_TAGS", strings.Join(d.Tags, ",")},
			{"SHIPTAG_META_TAG_NAMES", strings.Join(d.TagNames, ",")}},
		Whole: d, Lists: "the tags",
	}
}

// CompactJSON is v, an output document, on one line.
func CompactJSON(v any) string { return compactAny(v) }
