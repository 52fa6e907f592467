// Package output renders each command's result (a plan and, once
// published, its digests; cleanup's plan; metadata-action's result) for
// people and for the next step of a pipeline: text or JSON on stdout, and
// Outputs, the neutral form package platform writes as GitHub step outputs
// or a dotenv report. Every form is built from one document, so they never
// disagree.
package output

import (
	"encoding/json"
	"io"

	"github.com/shiptag/shiptag/internal/plan"
)

// Document is the JSON shape of a run, the same on every platform.
type Document struct {
	Images []DocImage `json:"images"`
	Refs   []string   `json:"refs"`
}

// DocImage is one image of a Document.
type DocImage struct {
	Name       string `json:"name"`
	Repository string `json:"repository"`
	Digest     string `json:"digest"`
	ImageID    string `json:"imageid,omitempty"`
	// Platforms are an index's platform images (attestations left out).
	Platforms []DocPlatform `json:"platforms,omitempty"`
	Tags      []DocTag      `json:"tags"`
	Stages    []DocStage    `json:"stages,omitempty"`
}

// DocPlatform is one platform image of a multi-platform image.
type DocPlatform struct {
	Platform string `json:"platform"`
	Digest   string `json:"digest"`
}

// DocStage is one of an image's stages (publish --stages).
type DocStage struct {
	Signature string `json:"signature"`
	Ref       string `json:"ref"`
	Digest    string `json:"digest"`
}

// DocTag is one reference of an image.
type DocTag struct {
	Tag      string `json:"tag"`
	Strategy string `json:"strategy"`
	Ref      string `json:"ref"`
	Digest   string `json:"digest"`
}

// NewDocument converts a plan into its JSON shape, images in input order and
// tags in parameter order.
func NewDocument(p plan.Plan) Document {
	d := Document{Images: make([]DocImage, 0, len(p.Images)), Refs: p.Refs()}
	if d.Refs == nil {
		d.Refs = []string{}
	}
	for _, img := range p.Images {
		di := DocImage{Name: img.Name, Repository: img.Repository, Digest: img.Digest, ImageID: img.ImageID, Tags: make([]DocTag, 0, len(img.Refs))}
		for _, r := range img.Refs {
			di.Tags = append(di.Tags, DocTag{Tag: r.Tag.Value, Strategy: string(r.Tag.Strategy), Ref: r.Ref, Digest: r.Digest})
		}
		for _, s := range img.Stages {
			di.Stages = append(di.Stages, DocStage(s))
		}
		for _, pd := range img.Platforms {
			di.Platforms = append(di.Platforms, DocPlatform(pd))
		}
		d.Images = append(d.Images, di)
	}
	return d
}

// StageRefs lists every stage reference once, in order.
func (d Document) StageRefs() []string {
	var out []string
	seen := map[string]bool{}
	for _, img := range d.Images {
		for _, s := range img.Stages {
			if !seen[s.Ref] {
				seen[s.Ref] = true
				out = append(out, s.Ref)
			}
		}
	}
	return out
}

// Digests lists the digest of every reference, in the order of Refs; nil
// when nothing has been published (plan).
func (d Document) Digests() []string {
	if len(d.Images) == 0 || len(d.Images[0].Tags) == 0 || d.Images[0].Tags[0].Digest == "" {
		return nil
	}
	var out []string
	for i := range d.Images[0].Tags {
		for _, img := range d.Images {
			out = append(out, img.Tags[i].Digest)
		}
	}
	return out
}

// imageDigests lists each image's digest, in input order.
func (d Document) imageDigests() []string {
	out := make([]string, len(d.Images))
	for i, img := range d.Images {
		out[i] = img.Digest
	}
	return out
}

// WriteJSON writes d as indented JSON, for people reading stdout.
func WriteJSON(w io.Writer, d Document) error { return WriteJSONValue(w, d) }

// WriteJSONValue writes any output document as indented JSON.
func WriteJSONValue(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// compactAny is v, which holds only strings, slices and maps, on one line.
func compactAny(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings, slices and maps always marshal
	}
	return string(b)
}
