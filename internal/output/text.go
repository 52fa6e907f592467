package output

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText writes a table of every reference, one line each, for people.
func WriteText(w io.Writer, d Document) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IMAGE\tTAG\tSTRATEGY\tREFERENCE")
	for _, img := range d.Images {
		for _, t := range img.Tags {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", imageLabel(img.Name), t.Tag, t.Strategy, t.Ref)
		}
	}
	return tw.Flush()
}

// imageLabel shows an image's name for people: the nameless image has none.
func imageLabel(name string) string {
	if name == "" {
		return "(nameless)"
	}
	return name
}
