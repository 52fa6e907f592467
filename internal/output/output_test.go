package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shiptag/shiptag/internal/cleanup"
	"github.com/shiptag/shiptag/internal/metadata"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/tagging"
)

func doc(images, tags int) Document {
	var d Document
	for i := 0; i < images; i++ {
		img := DocImage{Name: fmt.Sprintf("image-%02d", i), Repository: fmt.Sprintf("registry.example.com/team/image-%02d", i)}
		for j := 0; j < tags; j++ {
			ref := fmt.Sprintf("%s:tag-%02d", img.Repository, j)
			img.Tags = append(img.Tags, DocTag{Tag: fmt.Sprintf("tag-%02d", j), Strategy: "custom", Ref: ref})
			d.Refs = append(d.Refs, ref)
		}
		d.Images = append(d.Images, img)
	}
	return d
}

// published is doc with digests and a stage, as publish leaves it.
func published() Document {
	d := doc(2, 1)
	for i := range d.Images {
		d.Images[i].Tags[0].Digest = fmt.Sprintf("sha256:%064d", i)
		d.Images[i].Digest, d.Images[i].ImageID = d.Images[i].Tags[0].Digest, fmt.Sprintf("sha256:config%d", i)
	}
	d.Images[0].Stages = []DocStage{{Signature: strings.Repeat("ab", 32), Ref: "registry.example.com/team:image-stage-ab", Digest: "sha256:" + strings.Repeat("c", 64)}}
	return d
}

func TestDocumentOutputs(t *testing.T) {
	t.Parallel()
	digest := func(i int) string { return fmt.Sprintf("sha256:%064d", i) }
	tests := []struct {
		name         string
		doc          Document
		step, report []string // names in order
		values       map[string]string
	}{
		{"a plan: tags are full references, as metadata-action's", doc(2, 2), []string{"tags", "tag-names", "refs", "json"},
			[]string{"SHIPTAG_REFS", "SHIPTAG_TAGS", "SHIPTAG_TAG_NAMES"},
			map[string]string{"tag-names": "tag-00\ntag-01", "SHIPTAG_TAG_NAMES": "tag-00,tag-01",
				"tags": "registry.example.com/team/image-00:tag-00\nregistry.example.com/team/image-00:tag-01\n" +
					"registry.example.com/team/image-01:tag-00\nregistry.example.com/team/image-01:tag-01",
				"SHIPTAG_TAGS": "registry.example.com/team/image-00:tag-00,registry.example.com/team/image-00:tag-01," +
					"registry.example.com/team/image-01:tag-00,registry.example.com/team/image-01:tag-01",
				"refs": "registry.example.com/team/image-00:tag-00\nregistry.example.com/team/image-00:tag-01\n" +
					"registry.example.com/team/image-01:tag-00\nregistry.example.com/team/image-01:tag-01"}},
		{"published with stages: build-push-action's digest, imageid, metadata; a digest per image", published(),
			[]string{"tags", "tag-names", "refs", "digests", "digest", "imageid", "metadata", "stages", "json"},
			[]string{"SHIPTAG_REFS", "SHIPTAG_TAGS", "SHIPTAG_TAG_NAMES", "SHIPTAG_DIGESTS", "SHIPTAG_DIGEST",
				"SHIPTAG_IMAGE_00_DIGEST", "SHIPTAG_IMAGE_01_DIGEST", "SHIPTAG_STAGES"},
			map[string]string{"digests": digest(0) + "\n" + digest(1), "SHIPTAG_DIGESTS": digest(0) + "," + digest(1),
				"digest": digest(0), "imageid": "sha256:config0", "SHIPTAG_DIGEST": digest(0), "SHIPTAG_IMAGE_01_DIGEST": digest(1),
				"metadata": `{"containerimage.config.digest":"sha256:config0","containerimage.digest":"` + digest(0) +
					`","image.name":"registry.example.com/team/image-00:tag-00"}`,
				"SHIPTAG_STAGES": "registry.example.com/team:image-stage-ab"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.doc.Outputs("shiptag publish")
			if diff := cmp.Diff(tc.step, names(o.Step)); diff != "" {
				t.Errorf("step outputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.report, names(o.Report)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			got := values(o)
			for k, want := range tc.values {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
			var back Document
			if err := json.Unmarshal([]byte(got["json"]), &back); err != nil || !cmp.Equal(back, tc.doc) {
				t.Errorf("json output does not read back as the document: %v", err)
			}
			if !strings.HasPrefix(o.Summary, "### shiptag publish\n") || o.Whole == nil || o.Lists == "" {
				t.Errorf("summary %q, whole %v, lists %q", o.Summary, o.Whole, o.Lists)
			}
		})
	}
}

func names(outs []Output) []string {
	var out []string
	for _, o := range outs {
		out = append(out, o.Name)
	}
	return out
}

func values(o Outputs) map[string]string {
	m := map[string]string{}
	for _, v := range append(append([]Output{}, o.Step...), o.Report...) {
		m[v.Name] = v.Value
	}
	return m
}

func TestNewDocument(t *testing.T) {
	t.Parallel()
	p := plan.Plan{Images: []plan.Image{{Name: "web", Repository: "r.example.com/web", Digest: "sha256:1",
		Refs:   []plan.Ref{{Tag: tagging.Tag{Value: "v1", Strategy: tagging.Custom}, Ref: "r.example.com/web:v1", Digest: "sha256:1"}},
		Stages: []plan.StageRef{{Signature: "s", Ref: "r.example.com:image-stage-s", Digest: "sha256:2"}}}}}
	want := Document{Refs: []string{"r.example.com/web:v1"}, Images: []DocImage{{Name: "web", Repository: "r.example.com/web", Digest: "sha256:1",
		Tags:   []DocTag{{Tag: "v1", Strategy: "custom", Ref: "r.example.com/web:v1", Digest: "sha256:1"}},
		Stages: []DocStage{{Signature: "s", Ref: "r.example.com:image-stage-s", Digest: "sha256:2"}}}}}
	if diff := cmp.Diff(want, NewDocument(p)); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	if empty := NewDocument(plan.Plan{}); empty.Refs == nil || empty.Images == nil {
		t.Errorf("an empty plan gives null lists: %+v", empty)
	}
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  Document
		want string
	}{
		{"a plan", doc(1, 1), "IMAGE     TAG     STRATEGY  REFERENCE\nimage-00  tag-00  custom    registry.example.com/team/image-00:tag-00\n"},
		{"published, with short digests and the stage", published(),
			"IMAGE     TAG                        STRATEGY  REFERENCE                                  DIGEST\n" +
				"image-00  tag-00                     custom    registry.example.com/team/image-00:tag-00  sha256:000000000000\n" +
				"image-00  image-stage-abababababab…  stage     registry.example.com/team:image-stage-ab   sha256:cccccccccccc\n" +
				"image-01  tag-00                     custom    registry.example.com/team/image-01:tag-00  sha256:000000000000\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := WriteText(&b, tc.doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, doc(1, 1)); err != nil || !strings.HasPrefix(b.String(), "{\n  \"images\": [") {
		t.Errorf("WriteJSON: %v\n%s", err, b.String())
	}
}

func TestCleanupDocument(t *testing.T) {
	t.Parallel()
	item := func(tag string) cleanup.Item {
		return cleanup.Item{Ref: "r.example.com/app:" + tag, Image: "app", Strategy: "git-branch", Digest: "sha256:" + tag}
	}
	decisions := []cleanup.Decision{
		{Item: item("gone"), Delete: true, Deleted: true, Policy: "git-branch", Reason: "branch gone"},
		{Item: item("planned"), Delete: true, Policy: "git-branch", Reason: "branch | gone"},
		{Item: item("refused"), Delete: true, Failed: true, Policy: "git-branch", Reason: "denied"},
		{Item: item("main"), Policy: "git-branch", Reason: "branch exists", SharedWith: []string{"r.example.com/app:x"}},
	}
	d := NewCleanupDocument(decisions, nil, false)
	var actions []string
	for _, e := range d.Tags {
		actions = append(actions, e.Action)
	}
	if diff := cmp.Diff([]string{"deleted", "delete", "failed", "keep"}, actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	o := d.Outputs("shiptag cleanup")
	got := values(o)
	if got["deleted"] != "r.example.com/app:gone" || got["SHIPTAG_DELETED"] != "r.example.com/app:gone" {
		t.Errorf("a real run reports what is gone: %q, %q", got["deleted"], got["SHIPTAG_DELETED"])
	}
	if !strings.Contains(o.Summary, "branch \\| gone") {
		t.Errorf("a | in a reason breaks the summary table:\n%s", o.Summary)
	}
	dry := NewCleanupDocument(decisions[1:2], nil, true)
	if got := values(dry.Outputs("t")); got["SHIPTAG_DELETED"] != "r.example.com/app:planned" || got["deleted"] != "" {
		t.Errorf("a dry run reports what the plan deletes: %q, %q", got["SHIPTAG_DELETED"], got["deleted"])
	}
	var b bytes.Buffer
	if err := WriteCleanupText(&b, dry); err != nil || !strings.HasSuffix(b.String(), "would delete (dry run) 1 of 1 tags\n") {
		t.Errorf("WriteCleanupText: %v\n%s", err, b.String())
	}
}

func TestMetaDocument(t *testing.T) {
	t.Parallel()
	d := NewMetaDocument(metadata.Result{Version: metadata.Version{Main: "1.2.3"}, Tags: []string{"app:1.2.3", "app:1.2"}, TagNames: []string{"1.2.3", "1.2"},
		Labels: []string{"org.opencontainers.image.version=1.2.3", "a=b=c"}})
	if d.Labels["a"] != "b=c" || d.Annotations == nil {
		t.Errorf("labels %v, annotations %v", d.Labels, d.Annotations)
	}
	o := d.Outputs(Separators{Tags: ",", Labels: "\n", Annotations: "\n"})
	if got := o.EnvName("tag-names"); got != "DOCKER_METADATA_OUTPUT_TAG_NAMES" {
		t.Errorf("metadata-action's variable for tag-names is %q", got)
	}
	got := values(o)
	want := map[string]string{"version": "1.2.3", "tags": "app:1.2.3,app:1.2", "tag-names": "1.2.3,1.2",
		"labels": "org.opencontainers.image.version=1.2.3\na=b=c", "annotations": "",
		"json":                 `{"tags":["app:1.2.3","app:1.2"],"tag-names":["1.2.3","1.2"],"labels":{"a":"b=c","org.opencontainers.image.version":"1.2.3"},"annotations":[]}`,
		"SHIPTAG_META_VERSION": "1.2.3", "SHIPTAG_META_TAGS": "app:1.2.3,app:1.2", "SHIPTAG_META_TAG_NAMES": "1.2.3,1.2",
		"SHIPTAG_META_LABELS": `{"a":"b=c","org.opencontainers.image.version":"1.2.3"}`, "SHIPTAG_META_ANNOTATIONS": "[]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	if err := WriteMetaText(&b, d); err != nil || b.String() != "version: 1.2.3\ntags:\n  app:1.2.3\n  app:1.2\nlabels:\n  org.opencontainers.image.version=1.2.3\n  a=b=c\nannotations:\n" {
		t.Errorf("WriteMetaText: %v\n%s", err, b.String())
	}
}
