package metadata

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var jan10 = time.Date(2020, 1, 10, 0, 30, 0, 0, time.UTC)

func ctxFor(eventName, ref string) Context {
	return Context{EventName: eventName, Ref: ref, SHA: "860c1904a1ce19322e91ac35af1ab07466440c37", Now: jan10,
		DefaultBranch: "master", Repo: Repo{Name: "app", Description: "My app", URL: "https://github.com/octo/app", License: "MIT"}}
}

// tagNames computes the tag names of rules (no images) in ctx.
func tagNames(t *testing.T, ctx Context, flavor []string, rules ...string) []string {
	t.Helper()
	r, err := Compute(Inputs{Tags: rules, Flavor: flavor}, ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r.TagNames
}

func TestDocumentedExamples(t *testing.T) {
	t.Parallel()
	tag := func(name string) Context { return ctxFor("push", "refs/tags/"+name) }
	tests := []struct {
		name string
		ctx  Context
		rule string
		want []string
	}{
		// type=semver
		{"semver raw", tag("v1.2.3"), "type=semver,pattern={{raw}}", []string{"v1.2.3", "latest"}},
		{"semver version", tag("v1.2.3"), "type=semver,pattern={{version}}", []string{"1.2.3", "latest"}},
		{"semver major.minor", tag("v1.2.3"), "type=semver,pattern={{major}}.{{minor}}", []string{"1.2", "latest"}},
		{"semver v major", tag("v1.2.3"), "type=semver,pattern=v{{major}}", []string{"v1", "latest"}},
		{"semver minor", tag("v1.2.3"), "type=semver,pattern={{minor}}", []string{"2", "latest"}},
		{"semver patch", tag("v1.2.3"), "type=semver,pattern={{patch}}", []string{"3", "latest"}},
		{"semver pre-release raw", tag("v2.0.8-beta.67"), "type=semver,pattern={{raw}}", []string{"v2.0.8-beta.67"}},
		{"semver pre-release version", tag("v2.0.8-beta.67"), "type=semver,pattern={{version}}", []string{"2.0.8-beta.67"}},
		{"semver pre-release major.minor", tag("v2.0.8-beta.67"), "type=semver,pattern={{major}}.{{minor}}", []string{"2.0.8-beta.67"}},
		{"semver value instead of tag", ctxFor("push", "refs/heads/master"), "type=semver,pattern={{version}},value=v1.0.0", []string{"1.0.0", "latest"}},
		{"semver not a tag push", ctxFor("push", "refs/heads/master"), "type=semver,pattern={{version}}", nil},
		{"semver invalid tag", tag("release-1"), "type=semver,pattern={{version}}", nil},
		// type=semver and type=pep440 with match= (metadata-action v5.8 and v6)
		{"semver match a tag prefix", tag("docker-v23.0.1"), "type=semver,pattern={{major}}.{{minor}},match=docker-v(.*)", []string{"23.0", "latest"}},
		{"semver match before the slash turns into a dash", tag("relay/v1.5.0"), `type=semver,pattern={{version}},match=^relay/v(\d+\.\d+\.\d+)$`, []string{"1.5.0", "latest"}},
		{"semver match keeps pre-releases off latest", tag("app/v1.6.0-rc.1"), `type=semver,pattern={{major}}.{{minor}},match=^app/v(.+)$`, []string{"1.6.0-rc.1"}},
		{"semver match that fails leaves the tag as it is", tag("v1.2.3"), "type=semver,pattern={{version}},match=^release-(.*)", []string{"1.2.3", "latest"}},
		{"semver match on the value", ctxFor("push", "refs/heads/master"), "type=semver,pattern={{version}},value=build-2.1.0,match=build-(.*)", []string{"2.1.0", "latest"}},
		{"semver value: a slash becomes a dash too", ctxFor("push", "refs/heads/master"), "type=semver,pattern={{raw}},value=v1.0.0/x", []string{"v1.0.0-x"}},
		{"pep440 match", tag("lib-1.2.3rc1"), "type=pep440,pattern={{version}},match=lib-(.*)", []string{"1.2.3rc1"}},
		// type=pep440
		{"pep440 raw", tag("1.2.3"), "type=pep440,pattern={{raw}}", []string{"1.2.3", "latest"}},
		{"pep440 version", tag("1.2.3"), "type=pep440,pattern={{version}}", []string{"1.2.3", "latest"}},
		{"pep440 v version", tag("v1.2.3"), "type=pep440,pattern={{version}}", []string{"1.2.3", "latest"}},
		{"pep440 major.minor", tag("1.2.3"), "type=pep440,pattern={{major}}.{{minor}}", []string{"1.2", "latest"}},
		{"pep440 v major", tag("1.2.3"), "type=pep440,pattern=v{{major}}", []string{"v1", "latest"}},
		{"pep440 rc raw", tag("v1.2.3rc2"), "type=pep440,pattern={{raw}}", []string{"v1.2.3rc2"}},
		{"pep440 rc version", tag("1.2.3rc2"), "type=pep440,pattern={{version}}", []string{"1.2.3rc2"}},
		{"pep440 rc major.minor", tag("1.2.3rc2"), "type=pep440,pattern={{major}}.{{minor}}", []string{"1.2.3rc2"}},
		{"pep440 post", tag("1.2.3post1"), "type=pep440,pattern={{major}}.{{minor}}", []string{"1.2.3.post1"}},
		{"pep440 beta", tag("1.2.3beta2"), "type=pep440,pattern={{major}}.{{minor}}", []string{"1.2.3b2"}},
		{"pep440 dev", tag("1.0dev4"), "type=pep440,pattern={{major}}.{{minor}}", []string{"1.0.dev4"}},
		// type=match
		{"match group 0", tag("v1.2.3"), `type=match,pattern=\d.\d.\d`, []string{"1.2.3", "latest"}},
		{"match group 1", tag("v2.0.8-beta.67"), `type=match,pattern=v(.*),group=1`, []string{"2.0.8-beta.67", "latest"}},
		{"match shorter", tag("v2.0.8-beta.67"), `type=match,pattern=v(\d.\d),group=1`, []string{"2.0", "latest"}},
		{"match digits", tag("20200110-RC2"), `type=match,pattern=\d+`, []string{"20200110", "latest"}},
		{"match with a slash", tag("p1/v1.2.3"), `type=match,pattern=p1/v(\d.\d.\d),group=1`, []string{"1.2.3", "latest"}},
		{"match /regexp/flags", tag("V1.2.3"), `type=match,pattern=/v(\d.\d.\d)/i,group=1`, []string{"1.2.3", "latest"}},
		{"match no match", tag("release"), `type=match,pattern=\d+`, nil},
		// type=ref
		{"ref pr", ctxFor("pull_request", "refs/pull/2/merge"), "type=ref,event=pr", []string{"pr-2"}},
		{"ref branch", ctxFor("push", "refs/heads/master"), "type=ref,event=branch", []string{"master"}},
		{"ref branch with slash", ctxFor("push", "refs/heads/my/branch"), "type=ref,event=branch", []string{"my-branch"}},
		{"ref tag", tag("v1.2.3"), "type=ref,event=tag", []string{"v1.2.3", "latest"}},
		{"ref pre-release tag", tag("v2.0.8-beta.67"), "type=ref,event=tag", []string{"v2.0.8-beta.67", "latest"}},
		{"ref workflow_dispatch", ctxFor("workflow_dispatch", "refs/heads/master"), "type=ref,event=branch", []string{"master"}},
		// type=schedule
		{"schedule default", ctxFor("schedule", "refs/heads/master"), "type=schedule", []string{"nightly"}},
		{"schedule date", ctxFor("schedule", "refs/heads/master"), "type=schedule,pattern={{date 'YYYYMMDD'}}", []string{"20200110"}},
		{"schedule date in Tokyo", ctxFor("schedule", "refs/heads/master"), "type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}", []string{"20200110-093000"}},
		{"schedule not a schedule", ctxFor("push", "refs/heads/master"), "type=schedule", nil},
		// type=edge, raw, sha
		{"edge on the default branch", ctxFor("push", "refs/heads/master"), "type=edge", []string{"edge"}},
		{"edge elsewhere", ctxFor("push", "refs/heads/dev"), "type=edge", nil},
		{"edge named branch", ctxFor("push", "refs/heads/main"), "type=edge,branch=main", []string{"edge"}},
		{"raw", ctxFor("push", "refs/heads/dev"), "type=raw,value=foo", []string{"foo"}},
		{"raw short form", ctxFor("push", "refs/heads/dev"), "type=raw,foo", []string{"foo"}},
		{"bare value", ctxFor("push", "refs/heads/dev"), "bar", []string{"bar"}},
		{"sha short", ctxFor("push", "refs/heads/dev"), "type=sha", []string{"sha-860c190"}},
		{"sha long", ctxFor("push", "refs/heads/dev"), "type=sha,format=long", []string{"sha-860c1904a1ce19322e91ac35af1ab07466440c37"}},
		// global expressions
		{"branch as a prefix", ctxFor("push", "refs/heads/dev"), "type=sha,prefix={{branch}}-", []string{"dev-860c190"}},
		{"branch and sha", ctxFor("push", "refs/heads/dev"), "type=raw,value=mytag-{{branch}}-{{sha}}", []string{"mytag-dev-860c190"}},
		{"latest on the default branch", ctxFor("push", "refs/heads/master"), "type=raw,value=latest,enable={{is_default_branch}}", []string{"latest"}},
		{"not the default branch", ctxFor("push", "refs/heads/dev"), "type=raw,value=latest,enable={{is_default_branch}}", nil},
		{"disabled", ctxFor("push", "refs/heads/dev"), "type=raw,value=x,enable=false", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tagNames(t, tc.ctx, nil, tc.rule)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.rule, diff)
			}
		})
	}
}

func TestExpressions(t *testing.T) {
	t.Parallel()
	pr := ctxFor("pull_request", "refs/pull/2/merge")
	pr.BaseRef = "master"
	tagPush := ctxFor("push", "refs/tags/v1.2.3")
	tagPush.BaseRef = "refs/heads/master"
	late := ctxFor("push", "refs/heads/master")
	late.Now = time.Date(2020, 1, 10, 15, 25, 50, 0, time.UTC)
	withCommit := ctxFor("push", "refs/heads/master")
	withCommit.CommitDate = time.Date(2019, 12, 31, 23, 59, 0, 0, time.UTC)
	tests := []struct {
		name string
		ctx  Context
		expr string
		want string
	}{
		{"branch of a pr", pr, "{{branch}}", ""},
		{"branch with slash", ctxFor("push", "refs/heads/my/branch"), "{{branch}}", "my/branch"},
		{"tag", tagPush, "{{tag}}", "v1.2.3"},
		{"tag of a branch", ctxFor("push", "refs/heads/master"), "{{tag}}", ""},
		{"base_ref of a pr", pr, "{{base_ref}}", "master"},
		{"base_ref of a tag push", tagPush, "{{base_ref}}", "master"},
		{"base_ref of a branch", ctxFor("push", "refs/heads/master"), "{{base_ref}}", ""},
		{"is_default_branch on schedule", ctxFor("schedule", "refs/heads/dev"), "{{is_default_branch}}", "true"},
		{"is_not_default_branch on another branch", ctxFor("push", "refs/heads/dev"), "{{is_not_default_branch}}", "true"},
		{"is_not_default_branch on the default branch", ctxFor("push", "refs/heads/master"), "{{is_not_default_branch}}", "false"},
		{"long date", late, "{{date 'dddd, MMMM Do YYYY, h:mm:ss a'}}", "Friday, January 10th 2020, 3:25:50 pm"},
		{"commit date", withCommit, "{{commit_date 'YYYY-MM-DD HH:mm'}}", "2019-12-31 23:59"},
		{"commit date falls back to now", late, "{{commit_date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}", "20200111-002550"},
		{"escaped like handlebars", ctxFor("push", "refs/heads/a&b"), "{{branch}}", "a&amp;b"},
		{"moment's default format at UTC", late, "{{{date}}}", "2020-01-10T15:25:50Z"},
		{"moment's default format elsewhere", late, "{{{date tz='Asia/Tokyo'}}}", "2020-01-11T00:25:50+09:00"},
		{"an unquoted format is an undefined variable", withCommit, "{{{commit_date YYYYMMDD}}}", "2019-12-31T23:59:00Z"},
		{"a quoted format", withCommit, "{{commit_date \"YYYYMMDD\"}}", "20191231"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := NewEngine(tc.ctx, Flavor{Latest: "auto"}).expand(tc.expr)
			if err != nil || got != tc.want {
				t.Errorf("%s = %q, %v; want %q", tc.expr, got, err, tc.want)
			}
		})
	}
}

func TestFlavorPriorityDefaults(t *testing.T) {
	t.Parallel()
	tagPush := ctxFor("push", "refs/tags/v1.2.3")
	branch := ctxFor("push", "refs/heads/master")
	tests := []struct {
		name   string
		ctx    Context
		flavor []string
		rules  []string
		want   []string
	}{
		{"latest=false", tagPush, []string{"latest=false"}, []string{"type=semver,pattern={{version}}"}, []string{"1.2.3"}},
		{"latest=true on a branch", branch, []string{"latest=true"}, []string{"type=ref,event=branch"}, []string{"master", "latest"}},
		{"prefix and suffix", tagPush, []string{"prefix=app-", "suffix=-slim"}, []string{"type=semver,pattern={{version}}"}, []string{"app-1.2.3-slim", "latest"}},
		{"prefix on latest", tagPush, []string{"prefix=app-,onlatest=true"}, []string{"type=semver,pattern={{version}}"}, []string{"app-1.2.3", "app-latest"}},
		{"suffix on latest", tagPush, []string{"suffix=-alpine,onlatest=true"}, []string{"type=semver,pattern={{version}}"}, []string{"1.2.3-alpine", "latest-alpine"}},
		{"a rule's prefix wins", tagPush, []string{"prefix=app-"}, []string{"type=semver,pattern={{version}},prefix=v"}, []string{"v1.2.3", "latest"}},
		{"priority orders", branch, nil, []string{"type=sha", "type=ref,event=branch", "type=raw,value=first,priority=2000"}, []string{"first", "master", "sha-860c190"}},
		{"a tag made twice is kept once", branch, nil, []string{"type=ref,event=branch", "type=raw,value=master"}, []string{"master"}},
		{"defaults on a branch", branch, nil, nil, []string{"master"}},
		{"defaults on a tag", tagPush, nil, nil, []string{"v1.2.3", "latest"}},
		{"defaults on a pr", ctxFor("pull_request", "refs/pull/2/merge"), nil, nil, []string{"pr-2"}},
		// A scheduled run's ref is the default branch, which the branch rule also tags.
		{"defaults on schedule", ctxFor("schedule", "refs/heads/master"), nil, nil, []string{"nightly", "master"}},
		{"defaults on releases/v1", ctxFor("push", "refs/heads/releases/v1"), nil, nil, []string{"releases-v1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tagNames(t, tc.ctx, tc.flavor, tc.rules...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestImagesLabelsAnnotations(t *testing.T) {
	t.Parallel()
	r, err := Compute(Inputs{
		Images:           []string{"name=Name/App", "name=ghcr.io/name/bar,enable=false", "ghcr.io/name/baz"},
		Tags:             []string{"type=semver,pattern={{version}}"},
		Labels:           []string{"maintainer=CrazyMax", "org.opencontainers.image.title=MyCustomTitle", "org.opencontainers.image.vendor=MyCompany", "no-equals-sign"},
		Annotations:      []string{"org.opencontainers.image.description=Another description"},
		AnnotationLevels: []string{"manifest", "index"},
	}, ctxFor("push", "refs/tags/v1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"name/app:1.2.3", "name/app:latest", "ghcr.io/name/baz:1.2.3", "ghcr.io/name/baz:latest"}, r.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	wantLabels := []string{"maintainer=CrazyMax", "org.opencontainers.image.created=2020-01-10T00:30:00.000Z",
		"org.opencontainers.image.description=My app", "org.opencontainers.image.licenses=MIT",
		"org.opencontainers.image.revision=860c1904a1ce19322e91ac35af1ab07466440c37", "org.opencontainers.image.source=https://github.com/octo/app",
		"org.opencontainers.image.title=MyCustomTitle", "org.opencontainers.image.url=https://github.com/octo/app",
		"org.opencontainers.image.vendor=MyCompany", "org.opencontainers.image.version=1.2.3"}
	if diff := cmp.Diff(wantLabels, r.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if len(r.Annotations) != 16 || r.Annotations[8] != "index:org.opencontainers.image.created=2020-01-10T00:30:00.000Z" ||
		!strings.Contains(strings.Join(r.Annotations, "\n"), "manifest:org.opencontainers.image.description=Another description") {
		t.Errorf("annotations: %q", r.Annotations)
	}
	old, err := ParseImages([]string{"name/foo,ghcr.io/name/bar"})
	if err != nil || len(old) != 2 || old[1].Name != "ghcr.io/name/bar" {
		t.Errorf("old comma-separated images: %v, %v", old, err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	for rule, want := range map[string]string{
		"type=nightly":                 `unknown tag type "nightly"`,
		"type=semver":                  "needs a pattern",
		"type=match,pattern=x,group=a": `group "a" is not a number`,
		"type=ref":                     "needs an event",
		"type=ref,event=push":          `unknown event "push"`,
		"type=raw,enable=maybe":        "enable=",
		"type=sha,format=mid":          `format "mid"`,
		"type=raw,value=x,enable=":     `enable="" in "type=raw,value=x,enable="`,
		"type=semver,pattern={{version}},value=v1.0.0,match=v\\d":  "has no first group",
		"type=semver,pattern={{version}},value=v1,match=(?=v)(.*)": "Go RE2 syntax",
	} {
		_, err := Compute(Inputs{Tags: []string{rule}}, ctxFor("push", "refs/heads/master"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", rule, err, want)
		}
	}
	for _, f := range []string{"latest=sometimes", "prefix", "colour=blue", "prefix=a,onlatest=yes"} {
		if _, err := ParseFlavor([]string{f}); err == nil {
			t.Errorf("flavor %q accepted", f)
		}
	}
}

// TestErrorsNameTheirInput checks that Compute says which input failed, so
// that the error names one input, not every input it might be.
func TestErrorsNameTheirInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Inputs
		want string
	}{
		{"a bad rule", Inputs{Tags: []string{"type=foo"}}, "tags"},
		{"a rule that fails to evaluate", Inputs{Tags: []string{"type=raw,value=x,enable=maybe"}}, "tags"},
		{"a bad flavor", Inputs{Flavor: []string{"latest=sometimes"}}, "flavor"},
		{"a nameless image", Inputs{Images: []string{"name="}}, "images"},
		{"an unclosed label template", Inputs{Labels: []string{"a={{bad"}}, "labels"},
		{"an unclosed annotation template", Inputs{Annotations: []string{"a={{bad"}}, "annotations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compute(tt.in, ctxFor("push", "refs/heads/master"))
			var bad *InputError
			if !errors.As(err, &bad) {
				t.Fatalf("error %v is not an InputError", err)
			}
			if diff := cmp.Diff(tt.want, bad.Input); diff != "" {
				t.Errorf("input (-want +got):\n%s", diff)
			}
		})
	}
}
