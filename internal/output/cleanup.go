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
	// Referrers are the signatures, SBOMs and attestations of the images
	// that go, and what becomes of them.
	Referrers []ReferrerEntry `json:"referrers,omitempty"`
}

// ReferrerEntry is one manifest that refers to an image that goes.
type ReferrerEntry struct {
	Ref    string   `json:"ref"` // REPOSITORY@DIGEST
	Of     string   `json:"of"`  // the deleted tag
	Tags   []string `json:"tags,omitempty"`
	Action string   `json:"action"` // delete, deleted, keep, failed
	Reason string   `json:"reason,omitempty"`
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

// NewCleanupDocument turns decisions and the orphaned referrers into the
// document.
func NewCleanupDocument(decisions []cleanup.Decision, orphans []cleanup.Orphan, dryRun bool) CleanupDocument {
	d := CleanupDocument{DryRun: dryRun, Delete: []string{}, Deleted: cleanup.Deleted(decisions), Tags: []CleanupEntry{}}
	if d.Deleted == nil {
		d.Deleted = []string{}
	}
	referrerTags := map[string]cleanup.Orphan{} // the tags that go with an orphan
	for _, o := range orphans {
		for _, t := range o.Tags {
			if o.Keep == "" {
				referrerTags[o.Repository+":"+t] = o
			}
		}
	}
	for _, dec := range decisions {
		e := CleanupEntry{Ref: dec.Item.Ref, Image: dec.Item.Image, Strategy: dec.Item.Strategy, Digest: dec.Item.Digest,
			Action: "keep", Policy: dec.Policy, Reason: dec.Reason, Shared: dec.SharedWith}
		if o, ok := referrerTags[dec.Item.Ref]; ok && !dec.Delete {
			e.Action, e.Policy = orphanAction(o), "referrer"
			e.Reason = "names the digest of " + o.Of + ", and goes with it"
			d.Tags = append(d.Tags, e)
			continue
		}
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
	for _, o := range orphans {
		d.Referrers = append(d.Referrers, ReferrerEntry{Ref: o.Repository + "@" + o.Digest, Of: o.Of, Tags: o.Tags,
			Action: orphanAction(o), Reason: o.Keep})
	}
	return d
}

// orphanAction is what became of o: delete (the plan), deleted, failed or
// keep.
func orphanAction(o cleanup.Orphan) string {
	switch {
	case o.Deleted:
		return "deleted"
	case o.Failed:
		return "failed"
	case o.Keep != "":
		return "keep"
	}
	return "delete"
}

// WriteCleanupText prints one line per tag: action, reference, policy, why.
func WriteCleanupText(w io.Writer, d CleanupDocument) error {
	for _, e := range d.Tags {
		fmt.Fprintf(w, "%-7s %s  [%s] %s\n", e.Action, e.Ref, e.Policy, e.Reason)
	}
	going := 0
	for _, r := range d.Referrers {
		fmt.Fprintf(w, "%-7s %s  [referrer] of %s%s\n", r.Action, r.Ref, r.Of, reasonSuffix(r.Reason))
		if r.Action == "deleted" || (d.DryRun && r.Action == "delete") {
			going++
		}
	}
	verb := "deleted"
	n := len(d.Deleted)
	if d.DryRun {
		verb, n = "would delete (dry run)", len(d.Delete)
	}
	and := ""
	if going > 0 {
		and = fmt.Sprintf(", and %d signatures, SBOMs and attestations of them", going)
	}
	_, err := fmt.Fprintf(w, "%s %d of %d tags%s\n", verb, n, len(d.Tags), and)
	return err
}

// reasonSuffix is "; kept: why", or nothing without a reason.
func reasonSuffix(why string) string {
	if why == "" {
		return ""
	}
	return "; kept: " + why
}
