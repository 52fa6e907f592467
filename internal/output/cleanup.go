package output

import (
	"fmt"
	"io"

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
