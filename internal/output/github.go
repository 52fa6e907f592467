package output

import (
	"fmt"
	"os"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/plan"
)

// GitHub writes the step outputs tags, refs, digests (once published, one
// per reference in the order of refs) and json (lists one entry per line, as
// docker/metadata-action does) to GITHUB_OUTPUT, and a table to
// GITHUB_STEP_SUMMARY. A file variable that is not set is skipped and
// reported in skipped; one that is set but cannot be written is an error.
func GitHub(getenv func(string) string, title string, d Document) (skipped []string, err error) {
	action := githubactions.New(githubactions.WithGetenv(getenv))
	// go-githubactions panics when a file command fails; the files are
	// checked first, and anything left (a disk filling up) becomes an error.
	defer recoverGitHub(&err)
	if ok, err := fileVar(getenv, "GITHUB_OUTPUT"); err != nil {
		return nil, err
	} else if !ok {
		skipped = append(skipped, "GITHUB_OUTPUT")
	} else {
		action.SetOutput("tags", strings.Join(uniqueTags(d), "\n"))
		action.SetOutput("refs", strings.Join(d.Refs, "\n"))
		if digests := d.Digests(); digests != nil {
			action.SetOutput("digests", strings.Join(digests, "\n"))
		}
		if stages := d.StageRefs(); stages != nil {
			action.SetOutput("stages", strings.Join(stages, "\n"))
		}
		action.SetOutput("json", compactJSON(d))
	}
	if ok, err := fileVar(getenv, "GITHUB_STEP_SUMMARY"); err != nil {
		return nil, err
	} else if !ok {
		skipped = append(skipped, "GITHUB_STEP_SUMMARY")
	} else {
		action.AddStepSummary(summary(title, d))
	}
	return skipped, nil
}

// CheckGitHub fails if GITHUB_OUTPUT or GITHUB_STEP_SUMMARY is set but
// cannot be written, so that a run can stop before doing any work.
func CheckGitHub(getenv func(string) string) error {
	for _, key := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if _, err := fileVar(getenv, key); err != nil {
			return err
		}
	}
	return nil
}

// fileVar reports whether the file named by variable key is set, and checks
// that it can be appended to.
func fileVar(getenv func(string) string, key string) (bool, error) {
	path := getenv(key)
	if path == "" {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return false, &config.InputError{Input: key, Err: fmt.Errorf("%q cannot be written: %w; "+
			"unset %s or point it at a writable file", path, err, key)}
	}
	return true, f.Close()
}

// summary is the markdown table of the step summary.
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

// recoverGitHub turns a panic of go-githubactions, which panics when a file
// command fails, into the error of the function that defers it.
func recoverGitHub(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("writing GitHub outputs: %v", r)
	}
}
