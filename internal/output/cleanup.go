package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/shiptag/shiptag/internal/cleanup"
)

// CleanupDocument is cleanup's plan and result, the same for --dry-run and
// a real run except for what was deleted.
type CleanupDocument struct {
	DryRun bool `json:"dry_run"`
	// Delete lists what the plan deletes; Deleted what is gone.
	Delete  []string       `json:"delete"`
	Deleted []string       `json:"deleted"`
	Tags    []CleanupEntry `json:"tags"`
}

// CleanupEntry is one tag in scope: what happens to it, and why.
type CleanupEntry struct {
	Ref      string   `json:"ref"`
	Image    string   `json:"image"`
	Strategy string   `json:"strategy"`
	Digest   string   `json:"digest,omitempty"`
	Action   string   `json:"action"` // delete, deleted, keep, failed
	Policy   string   `json:"policy"`
	Reason   string   `json:"reason"`
	Shared   []string `json:"shared_with,omitempty"`
}

// NewCleanupDocument turns decisions into the document.
func NewCleanupDocument(decisions []cleanup.Decision, dryRun bool) CleanupDocument {
	d := CleanupDocument{DryRun: dryRun, Delete: []string{}, Deleted: cleanup.Deleted(decisions), Tags: []CleanupEntry{}}
	if d.Deleted == nil {
		d.Deleted = []string{}
	}
	for _, dec := range decisions {
		e := CleanupEntry{Ref: dec.Item.Ref, Image: dec.Item.Image, Strategy: dec.Item.Strategy, Digest: dec.Item.Digest,
			Action: "keep", Policy: dec.Policy, Reason: dec.Reason, Shared: dec.SharedWith}
		switch {
		case dec.Deleted:
			e.Action = "deleted"
		case dec.Failed:
			e.Action = "failed"
		case dec.Delete:
			e.Action = "delete"
		}
		if dec.Delete || dec.Deleted || dec.Failed {
			d.Delete = append(d.Delete, dec.Item.Ref)
		}
		d.Tags = append(d.Tags, e)
	}
	return d
}

// WriteCleanupText prints one line per tag: action, reference, policy, why.
func WriteCleanupText(w io.Writer, d CleanupDocument) error {
	for _, e := range d.Tags {
		fmt.Fprintf(w, "%-7s %s  [%s] %s\n", e.Action, e.Ref, e.Policy, e.Reason)
	}
	verb := "deleted"
	n := len(d.Deleted)
	if d.DryRun {
		verb, n = "would delete (dry run)", len(d.Delete)
	}
	_, err := fmt.Fprintf(w, "%s %d of %d tags\n", verb, n, len(d.Tags))
	return err
}

// GitHubCleanup writes the step outputs deleted (one reference per line)
// and json, and the plan as a table in the step summary.
func GitHubCleanup(getenv func(string) string, title string, d CleanupDocument) (skipped []string, err error) {
	defer recoverGitHub(&err)
	action := githubactions.New(githubactions.WithGetenv(getenv))
	for _, key := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		ok, err := fileVar(getenv, key)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			skipped = append(skipped, key)
		case key == "GITHUB_OUTPUT":
			action.SetOutput("deleted", strings.Join(d.Deleted, "\n"))
			action.SetOutput("json", compactAny(d))
		default:
			action.AddStepSummary(cleanupSummary(title, d))
		}
	}
	return skipped, nil
}

func cleanupSummary(title string, d CleanupDocument) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n| Action | Reference | Strategy | Policy | Reason |\n|---|---|---|---|---|\n", title)
	for _, e := range d.Tags {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", e.Action, e.Ref, e.Strategy, e.Policy, strings.ReplaceAll(e.Reason, "|", "\\|"))
	}
	return b.String()
}

// GitLabCleanup writes the dotenv report: SHIPTAG_DELETED, the deleted
// references comma-separated (with --dry-run, those the plan deletes). When
// they would not fit GitLab's limit, the document goes to shiptag.json beside
// it, the report holds SHIPTAG_JSON_FILE, and note says so.
func GitLabCleanup(path string, d CleanupDocument) (note string, err error) {
	refs := d.Deleted
	if d.DryRun {
		refs = d.Delete
	}
	return writeDotenv(path, "SHIPTAG_DELETED="+strings.Join(refs, ",")+"\n", d, "the deleted references")
}
