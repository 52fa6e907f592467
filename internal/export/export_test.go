package export

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	values := map[string]string{ShortcutImage: "Backend/API_v2", ShortcutImageSlug: "backend-api-v2",
		ShortcutImageSafeSlug: "backend-api-v2-27605a5", ShortcutContentBasedTag: "0123456789abcdef0123456789abcdef"}
	tests := []struct{ name, template, want string }{
		{"image verbatim", "r.example.com/m/%image%:v1", "r.example.com/m/Backend/API_v2:v1"},
		{"slug", "r.example.com/m/%image_slug%:v1", "r.example.com/m/backend-api-v2:v1"},
		{"safe slug as a tag", "r.example.com/m:%image_safe_slug%", "r.example.com/m:backend-api-v2-27605a5"},
		{"content-based tag", "r.example.com/m/%image_slug%:%image_content_based_tag%", "r.example.com/m/backend-api-v2:0123456789abcdef0123456789abcdef"},
		{"spaces inside the percent signs", "r.example.com/m/% image_slug %:v1", "r.example.com/m/backend-api-v2:v1"},
		{"no shortcut", "r.example.com/m/app:v1", "r.example.com/m/app:v1"},
		{"two shortcuts side by side", "r.example.com/%image_slug%%image_safe_slug%:x", "r.example.com/backend-api-v2backend-api-v2-27605a5:x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := ParseTemplate(tc.template)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Expand(values)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, template, contains string }{
		{"unknown shortcut", "r.example.com/%image_name%:v1", `unknown shortcut %image_name%`},
		{"lone percent", "r.example.com/app:%%", "is not a shortcut"},
		{"unclosed", "r.example.com/%image:v1", "opens a shortcut that is never closed"},
		{"unclosed at the end", "r.example.com/app:v1%", "at byte 20"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTemplate(tc.template)
			if err == nil || !strings.Contains(err.Error(), tc.contains) || !strings.Contains(err.Error(), `"`+tc.template+`"`) {
				t.Errorf("error = %v, want one quoting the template and containing %q", err, tc.contains)
			}
		})
	}
}

func testImages(t *testing.T, names ...string) []Image {
	t.Helper()
	l, err := sample.Layer(1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	img, err := sample.Image("linux/amd64", l)
	if err != nil {
		t.Fatal(err)
	}
	var out []Image
	for _, n := range names {
		out = append(out, Image{Name: n, Artifact: source.Artifact{Image: img}})
	}
	return out
}

func templates(t *testing.T, raw ...string) []Template {
	t.Helper()
	var out []Template
	for _, r := range raw {
		tpl, err := ParseTemplate(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tpl)
	}
	return out
}

func noOpts(string) []name.Option { return nil }

func TestTargets(t *testing.T) {
	t.Parallel()
	targets, p, err := Targets(testImages(t, "Backend/API_v2", "web"), templates(t,
		"r.example.com/mirror/%image_slug%:v1", "r.example.com/mirror:%image_safe_slug%"),
		[]labels.Pair{{Key: "team", Value: "core"}, {Key: "team", Value: "platform"}}, noOpts)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, tg := range targets {
		refs = append(refs, tg.Ref.String())
	}
	want := []string{"r.example.com/mirror/backend-api-v2:v1", "r.example.com/mirror:backend-api-v2-27605a5",
		"r.example.com/mirror/web:v1", "r.example.com/mirror:web"}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{want[0], want[2], want[1], want[3]}, p.Refs()); diff != "" {
		t.Errorf("plan refs, tag by tag (-want +got):\n%s", diff)
	}
	cf, err := targets[0].Artifact.Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"org.example.sample": "true", "team": "platform"}, cf.Config.Labels); diff != "" {
		t.Errorf("labels: werf* removed, later pair wins (-want +got):\n%s", diff)
	}
}

func TestTargetErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		images    []string
		templates []string
		contains  string
	}{
		{"no template", []string{"a"}, nil, "no template: pass --tag"},
		{"several images, template names none", []string{"a", "b"}, []string{"r.example.com/app:v1"}, `template "r.example.com/app:v1" names no image, so all 2 images would go to one reference`},
		{"docker hub implicit", []string{"a"}, []string{"company/app:%image_slug%"}, "names no registry; write the registry out, for Docker Hub index.docker.io/ACCOUNT/REPO:TAG"},
		{"no tag", []string{"a"}, []string{"r.example.com/%image_slug%"}, "not a valid reference with a tag"},
		{"invalid reference", []string{"Big"}, []string{"r.example.com/%image%:v1"}, `gives "r.example.com/Big:v1" for image "Big": not a valid reference`},
		{"two images on one reference", []string{"a_b", "a-b"}, []string{"r.example.com/%image_slug%:v1"}, `image "a_b" goes there too`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Targets(testImages(t, tc.images...), templates(t, tc.templates...), nil, noOpts)
			var ie *inputs.Error
			if !errors.As(err, &ie) || ie.Input != inputs.Name("tag") || !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error = %v, want an input error on --tag containing %q", err, tc.contains)
			}
		})
	}
}
