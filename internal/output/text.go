package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/shiptag/shiptag/internal/plan"
)

// WriteText writes a table of every reference, one line each, for people;
// once published, with a short digest (the JSON has it whole).
func WriteText(w io.Writer, d Document) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	digests := d.Digests() != nil
	fmt.Fprint(tw, "IMAGE\tTAG\tSTRATEGY\tREFERENCE")
	if digests {
		fmt.Fprint(tw, "\tDIGEST")
	}
	fmt.Fprintln(tw)
	for _, img := range d.Images {
		if len(img.Tags) == 0 && img.Digest != "" { // --push-by-digest
			fmt.Fprintf(tw, "%s\t-\tby digest\t%s@%s", plan.Label(img.Name), img.Repository, img.Digest)
			if digests {
				fmt.Fprintf(tw, "\t%s", shortDigest(img.Digest))
			}
			fmt.Fprintln(tw)
		}
		for _, t := range img.Tags {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s", plan.Label(img.Name), t.Tag, t.Strategy, t.Ref)
			if digests {
				fmt.Fprintf(tw, "\t%s", shortDigest(t.Digest))
			}
			fmt.Fprintln(tw)
		}
		for _, s := range img.Stages {
			fmt.Fprintf(tw, "%s\t%s\tstage\t%s", plan.Label(img.Name), "image-stage-"+s.Signature[:12]+"…", s.Ref)
			if digests {
				fmt.Fprintf(tw, "\t%s", shortDigest(s.Digest))
			}
			fmt.Fprintln(tw)
		}
	}
	return tw.Flush()
}

// shortDigest is "sha256:" and the first 12 hex digits, as docker shows it.
func shortDigest(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}
