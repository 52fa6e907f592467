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
	// EnvPrefix, when set, names each step output again as a variable of
	// the job's later steps (GitHub's GITHUB_ENV): the prefix and the name
	// in upper case, other characters as underscores, as metadata-action's
	// DOCKER_METADATA_OUTPUT_TAGS.
	EnvPrefix string
}

// EnvName is the variable EnvPrefix names step output name by.
func (o Outputs) EnvName(name string) string { return o.EnvPrefix + variablePart(name) }

// Output is one named value.
type Output struct{ Name, Value string }

// Outputs are plan's, publish's and export's outputs, named as
// docker/metadata-action and build-push-action name theirs, so that the
// steps after them read shiptag's the same way:
//   - tags: every full reference (metadata-action's tags); refs is the same
//     list, by its earlier name; tag-names: the tags alone;
//   - once published, digests: one per reference, in the order of tags;
//     digest, imageid and metadata: build-push-action's, for the first
//     image's first reference (with --meta-labels shared or none every tag
//     of an image has that digest; per-tag gives each tag its own);
//   - stages with --stages, and json, the whole document.
//
// Step outputs hold lists one entry per line; the report separates them by
// commas, and adds SHIPTAG_<IMAGE>_DIGEST per named image.
func (d Document) Outputs(title string) Outputs {
	tags, digests, stages := uniqueTags(d), d.Digests(), d.StageRefs()
	refs := strings.Join(d.Refs, "\n")
	o := Outputs{Summary: summary(title, d), Whole: d, Lists: "the references",
		Step: []Output{{"tags", refs}, {"tag-names", strings.Join(tags, "\n")}, {"refs", refs}},
		Report: []Output{{"SHIPTAG_REFS", strings.Join(d.Refs, ",")}, {"SHIPTAG_TAGS", strings.Join(d.Refs, ",")},
			{"SHIPTAG_TAG_NAMES", strings.Join(tags, ",")}}}
	if digests == nil && len(d.Images) > 0 && d.Images[0].Digest != "" {
		digests = d.imageDigests() // --push-by-digest: no tags, one digest per image
	}
	if digests != nil {
		first := d.Images[0]
		o.Step = append(o.Step, Output{"digests", strings.Join(digests, "\n")}, Output{"digest", first.Digest},
			Output{"imageid", first.ImageID}, Output{"metadata", first.metadata()})
		o.Report = append(o.Report, Output{"SHIPTAG_DIGESTS", strings.Join(digests, ",")}, Output{"SHIPTAG_DIGEST", first.Digest})
		for _, img := range d.Images {
			if img.Name != "" {
				o.Report = append(o.Report, Output{"SHIPTAG_" + variablePart(img.Name) + "_DIGEST", img.Digest})
			}
			if len(img.Tags) == 0 && len(img.Platforms) == 1 {
				// --push-by-digest of one platform: the jobs of a parallel
				// matrix each report theirs under its own name.
				o.Report = append(o.Report, Output{"SHIPTAG_" + imagePart(img.Name) + "DIGEST_" + variablePart(img.Platforms[0].Platform), img.Digest})
			}
		}
	}
	if stages != nil {
		o.Step = append(o.Step, Output{"stages", strings.Join(stages, "\n")})
		o.Report = append(o.Report, Output{"SHIPTAG_STAGES", strings.Join(stages, ",")})
	}
	o.Step = append(o.Step, Output{"json", compactAny(d)})
	return o
}

// metadata is build-push-action's metadata output for the image: buildx's
// metadata keys for its digest, config digest and references.
func (img DocImage) metadata() string {
	var names []string
	for _, t := range img.Tags {
		names = append(names, t.Ref)
	}
	return compactAny(map[string]string{"containerimage.digest": img.Digest, "containerimage.config.digest": img.ImageID,
		"image.name": strings.Join(names, ",")})
}

// variablePart is an image name as part of a variable's name: upper case,
// every other character than a letter or digit an underscore.
// imagePart is "NAME_" for a named image, "" for the nameless one.
func imagePart(name string) string {
	if name == "" {
		return ""
	}
	return variablePart(name) + "_"
}

func variablePart(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
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
	for _, r := range d.Referrers {
		fmt.Fprintf(&b, "| %s | `%s` | referrer | of `%s` | %s |\n", r.Action, r.Ref, r.Of, strings.ReplaceAll(r.Reason, "|", "\\|"))
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
// labels, annotations, json), each also a DOCKER_METADATA_OUTPUT_* variable
// of the later steps, as metadata-action sets them, and a report of the
// version, tags and tag names, comma-separated. Labels and annotations can
// hold commas and newlines, which a dotenv value cannot, so the report has
// them as one-line JSON: an object of labels, a list of annotations.
func (d MetaDocument) Outputs(sep Separators) Outputs {
	return Outputs{EnvPrefix: "DOCKER_METADATA_OUTPUT_",
		Step: []Output{{"version", d.Version}, {"tags", strings.Join(d.Tags, sep.Tags)},
			{"tag-names", strings.Join(d.TagNames, sep.Tags)}, {"labels", strings.Join(d.labelLines, sep.Labels)},
			{"annotations", strings.Join(d.Annotations, sep.Annotations)}, {"json", d.actionJSON()}},
		Report: []Output{{"SHIPTAG_META_VERSION", d.Version}, {"SHIPTAG_META_TAGS", strings.Join(d.Tags, ",")},
			{"SHIPTAG_META_TAG_NAMES", strings.Join(d.TagNames, ",")},
			{"SHIPTAG_META_LABELS", compactAny(d.Labels)}, {"SHIPTAG_META_ANNOTATIONS", compactAny(d.Annotations)}},
		Whole: d, Lists: "the tags, labels and annotations",
	}
}

// CompactJSON is v, an output document, on one line.
func CompactJSON(v any) string { return compactAny(v) }
