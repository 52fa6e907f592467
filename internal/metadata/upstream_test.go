package metadata

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The commits of metadata-action's test fixtures (__tests__/fixtures).
const (
	shaDev    = "860c1904a1ce19322e91ac35af1ab07466440c37" // event_push_dev, event_workflow_dispatch, the tags
	shaMaster = "266574110acf203503badf966df2ea24b5d732d7" // event_push_master
	shaBadRef = "983315b5e8d46e46fc4c49869e85e7ee5fb289ba" // event_push_invalidchars
	shaPR     = "a9c8c5828b91be19d9728548b24759e352367ef1" // event_pull_request
)

// TestMetadataActionTables runs cases of metadata-action's own test tables
// (__tests__/meta.test.ts, its v5 and v6 releases; the names are theirs) with
// their fixtures' events, inputs and expected versions and tags. The clock is
// theirs too: 2020-01-10T00:30:00Z, the commit date the same.
func TestMetadataActionTables(t *testing.T) {
	t.Parallel()
	event := func(name, ref, sha string) Context {
		c := ctxFor(name, ref)
		c.SHA = sha
		return c
	}
	dev := event("push", "refs/heads/dev", shaDev)
	master := event("push", "refs/heads/master", shaMaster)
	dispatch := event("workflow_dispatch", "refs/heads/master", shaDev)
	badRef := event("push", "refs/heads/my/feature#1245", shaBadRef)
	tag := func(name string) Context { return event("push", "refs/tags/"+name, shaDev) }
	tagWithBase := func(name, base string) Context { c := tag(name); c.BaseRef = base; return c }
	pr := event("pull_request", "refs/pull/15/merge", shaPR)
	prOnMaster := pr
	prOnMaster.BaseRef = "master"
	two := []string{"org/app", "ghcr.io/user/app"}
	tests := []struct {
		name           string
		ctx            Context
		images, tags   []string
		flavor         []string
		want           Version
		wantReferences []string
	}{
		{"push01", dev, []string{"user/app"}, nil, nil, Version{Main: "dev"}, []string{"user/app:dev"}},
		{"push02", master, []string{"user/app"}, []string{"type=edge"}, nil, Version{Main: "edge"}, []string{"user/app:edge"}},
		{"push03", master, []string{"user/app"}, nil, nil, Version{Main: "master"}, []string{"user/app:master"}},
		{"push04", dispatch, []string{"user/app"}, []string{"type=edge"}, nil, Version{Main: "edge"}, []string{"user/app:edge"}},
		{"push05", dev, two, nil, nil, Version{Main: "dev"}, []string{"org/app:dev", "ghcr.io/user/app:dev"}},
		{"push06", master, two, []string{"type=edge"}, nil, Version{Main: "edge"}, []string{"org/app:edge", "ghcr.io/user/app:edge"}},
		{"push07", dev, two, []string{"type=ref,event=branch", "type=sha"}, nil, Version{Main: "dev", Partial: []string{"sha-860c190"}},
			[]string{"org/app:dev", "org/app:sha-860c190", "ghcr.io/user/app:dev", "ghcr.io/user/app:sha-860c190"}},
		{"push08", master, two, []string{"type=edge", "type=sha"}, nil, Version{Main: "edge", Partial: []string{"sha-2665741"}},
			[]string{"org/app:edge", "org/app:sha-2665741", "ghcr.io/user/app:edge", "ghcr.io/user/app:sha-2665741"}},
		{"push09", dev, two, []string{"type=edge,branch=dev", "type=sha"}, nil, Version{Main: "edge", Partial: []string{"sha-860c190"}},
			[]string{"org/app:edge", "org/app:sha-860c190", "ghcr.io/user/app:edge", "ghcr.io/user/app:sha-860c190"}},
		{"push10", master, two, []string{"type=edge,branch=dev", "type=sha"}, nil, Version{Main: "sha-2665741"},
			[]string{"org/app:sha-2665741", "ghcr.io/user/app:sha-2665741"}},
		{"push11", badRef, two, []string{"type=edge", "type=sha"}, nil, Version{Main: "sha-983315b"},
			[]string{"org/app:sha-983315b", "ghcr.io/user/app:sha-983315b"}},
		{"push12", badRef, two, []string{"type=semver,pattern={{version}}", "type=pep440,pattern={{version}}", "type=edge"}, nil, Version{}, nil},
		{"push13", master, []string{"user/app"}, []string{"type=ref,priority=2000,event=branch", "type=edge"}, nil,
			Version{Main: "master", Partial: []string{"edge"}}, []string{"user/app:master", "user/app:edge"}},
		{"push14", master, []string{"user/app"}, []string{"type=semver,pattern={{version}},value=v1.2.3", "type=pep440,pattern={{version}},value=v1.2.3", "type=edge"}, nil,
			Version{Main: "1.2.3", Partial: []string{"edge"}, Latest: true}, []string{"user/app:1.2.3", "user/app:edge", "user/app:latest"}},
		{"push15", master, []string{"user/app"}, []string{"type=match,pattern=v(.*),group=1,value=v1.2.3", "type=edge"}, nil,
			Version{Main: "1.2.3", Partial: []string{"edge"}, Latest: true}, []string{"user/app:1.2.3", "user/app:edge", "user/app:latest"}},
		{"push16", master, []string{"user/app"}, []string{"type=match,enable=false,pattern=v(.*),group=1,value=v1.2.3", "type=edge"}, nil,
			Version{Main: "edge"}, []string{"user/app:edge"}},
		{"push17", master, []string{"user/app"}, []string{"type=raw,value=mytag-{{branch}}", "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
			"type=raw,value=mytag-cd-{{commit_date 'YYYYMMDD'}}", "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
			"type=raw,value=mytag-tag-{{tag}}", "type=raw,value=mytag-baseref-{{base_ref}}", "type=raw,value=mytag-defbranch,enable={{is_default_branch}}"}, nil,
			Version{Main: "mytag-master", Partial: []string{"mytag-20200110", "mytag-cd-20200110", "mytag-20200110-093000", "mytag-tag-", "mytag-baseref-", "mytag-defbranch"}},
			[]string{"user/app:mytag-master", "user/app:mytag-20200110", "user/app:mytag-cd-20200110", "user/app:mytag-20200110-093000",
				"user/app:mytag-tag-", "user/app:mytag-baseref-", "user/app:mytag-defbranch"}},
		{"push18", dev, two, []string{"type=ref,event=branch", "type=sha,format=long"}, nil,
			Version{Main: "dev", Partial: []string{"sha-" + shaDev}},
			[]string{"org/app:dev", "org/app:sha-" + shaDev, "ghcr.io/user/app:dev", "ghcr.io/user/app:sha-" + shaDev}},
		{"push19", dev, two, []string{"type=edge,branch=master", "type=ref,event=branch,enable=false", "type=sha,format=long",
			"type=raw,value=defbranch,enable={{is_default_branch}}"}, nil,
			Version{Main: "sha-" + shaDev}, []string{"org/app:sha-" + shaDev, "ghcr.io/user/app:sha-" + shaDev}},
		{"push20", dev, []string{"org/app", "ghcr.io/user/app,enable=false"}, []string{"type=edge,branch=master", "type=ref,event=branch,enable=false", "type=sha,format=long"}, nil,
			Version{Main: "sha-" + shaDev}, []string{"org/app:sha-" + shaDev}},
		{"push21", master, nil, []string{"type=raw,value=mytag-{{branch}}", "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
			"type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}", "type=raw,value=mytag-src-{{commit_date 'YYYYMMDD'}}",
			"type=raw,value=mytag-tag-{{tag}}", "type=raw,value=mytag-baseref-{{base_ref}}", "type=raw,value=mytag-defbranch,enable={{is_default_branch}}"}, nil,
			Version{Main: "mytag-master", Partial: []string{"mytag-20200110", "mytag-20200110-093000", "mytag-src-20200110", "mytag-tag-", "mytag-baseref-", "mytag-defbranch"}},
			[]string{"mytag-master", "mytag-20200110", "mytag-20200110-093000", "mytag-src-20200110", "mytag-tag-", "mytag-baseref-", "mytag-defbranch"}},
		{"tag01", tag("release1"), []string{"user/app"}, nil, nil, Version{Main: "release1", Latest: true}, []string{"user/app:release1", "user/app:latest"}},
		{"tag02", tag("20200110-RC2"), []string{"user/app"}, nil, nil, Version{Main: "20200110-RC2", Latest: true}, []string{"user/app:20200110-RC2", "user/app:latest"}},
		{"tag03", tag("20200110-RC2"), []string{"user/app"}, []string{`type=match,pattern=\d{8}`}, []string{"latest=false"},
			Version{Main: "20200110"}, []string{"user/app:20200110"}},
		{"tag04", tag("20200110-RC2"), []string{"user/app"}, []string{`type=match,pattern=(.*)-RC,group=1`}, []string{"latest=false"},
			Version{Main: "20200110"}, []string{"user/app:20200110"}},
		{"tag05", tag("v1.1.1"), two, []string{`type=match,"pattern=\d.\d.\d"`}, nil, Version{Main: "1.1.1", Latest: true},
			[]string{"org/app:1.1.1", "org/app:latest", "ghcr.io/user/app:1.1.1", "ghcr.io/user/app:latest"}},
		{"tag06", tag("v1.1.1"), two, []string{`type=match,"pattern=^v(\d.\d.\d)$",group=1`}, nil, Version{Main: "1.1.1", Latest: true},
			[]string{"org/app:1.1.1", "org/app:latest", "ghcr.io/user/app:1.1.1", "ghcr.io/user/app:latest"}},
		{"tag07", tag("v2.0.8-beta.67"), two, []string{`type=match,"pattern=\d.\d.\d-(alpha|beta).\d+"`}, nil, Version{Main: "2.0.8-beta.67", Latest: true},
			[]string{"org/app:2.0.8-beta.67", "org/app:latest", "ghcr.io/user/app:2.0.8-beta.67", "ghcr.io/user/app:latest"}},
		{"tag08", tag("v2.0.8-beta.67"), two, []string{`type=match,"pattern=\d.\d"`}, nil, Version{Main: "2.0", Latest: true},
			[]string{"org/app:2.0", "org/app:latest", "ghcr.io/user/app:2.0", "ghcr.io/user/app:latest"}},
		{"tag09", tag("v2.0.8-beta.67"), two, []string{`type=match,"pattern=v(.*)-beta.(.*)",group=1`, `type=match,"pattern=v(.*)-beta.(.*)",group=2`}, nil,
			Version{Main: "2.0.8", Partial: []string{"67"}, Latest: true},
			[]string{"org/app:2.0.8", "org/app:67", "org/app:latest", "ghcr.io/user/app:2.0.8", "ghcr.io/user/app:67", "ghcr.io/user/app:latest"}},
		{"tag10", tag("sometag"), two, []string{`type=match,"pattern=\d.\d"`}, nil, Version{}, nil},
		{"tag11", tag("v1.1.1"), two, []string{"type=semver,pattern={{version}}", "type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"}, nil,
			Version{Main: "1.1.1", Partial: []string{"1.1", "1"}, Latest: true},
			[]string{"org/app:1.1.1", "org/app:1.1", "org/app:1", "org/app:latest", "ghcr.io/user/app:1.1.1", "ghcr.io/user/app:1.1", "ghcr.io/user/app:1", "ghcr.io/user/app:latest"}},
		{"tag12", tag("v1.1.1"), two, []string{"type=semver,pattern={{version}}", "type=semver,pattern={{major}}.{{minor}}.{{patch}}"}, nil,
			Version{Main: "1.1.1", Latest: true}, []string{"org/app:1.1.1", "org/app:latest", "ghcr.io/user/app:1.1.1", "ghcr.io/user/app:latest"}},
		{"tag13", tag("v2.0.8-beta.67"), two, []string{"type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"}, nil,
			Version{Main: "2.0.8-beta.67"}, []string{"org/app:2.0.8-beta.67", "ghcr.io/user/app:2.0.8-beta.67"}},
		{"tag14", tag("sometag"), []string{"ghcr.io/user/app"}, []string{"type=ref,event=tag", "type=semver,pattern={{version}}",
			"type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"}, []string{"latest=false"},
			Version{Main: "sometag"}, []string{"ghcr.io/user/app:sometag"}},
		{"tag15", tag("v2.0.8-beta.67"), two, []string{"type=raw,priority=2000,foo", "type=semver,pattern={{version}}", `type=match,"pattern=\d.\d"`}, nil,
			Version{Main: "foo", Partial: []string{"2.0.8-beta.67", "2.0"}},
			[]string{"org/app:foo", "org/app:2.0.8-beta.67", "org/app:2.0", "ghcr.io/user/app:foo", "ghcr.io/user/app:2.0.8-beta.67", "ghcr.io/user/app:2.0"}},
		{"tag16", tag("v1.1.1"), two, []string{"type=raw,priority=2000,foo", "type=ref,event=tag", "type=edge"}, nil,
			Version{Main: "foo", Partial: []string{"v1.1.1"}}, []string{"org/app:foo", "org/app:v1.1.1", "ghcr.io/user/app:foo", "ghcr.io/user/app:v1.1.1"}},
		{"tag17", tag("p1/v1.0.0"), two, []string{`type=match,"pattern=/^v(\d.\d.\d)$/ig",group=1`, `type=match,pattern=\d.\d.\d`,
			`type=match,pattern=\d.\d`, "type=ref,event=pr", "type=sha"}, nil,
			Version{Main: "1.0.0", Partial: []string{"1.0", "sha-860c190"}, Latest: true},
			[]string{"org/app:1.0.0", "org/app:1.0", "org/app:sha-860c190", "org/app:latest", "ghcr.io/user/app:1.0.0", "ghcr.io/user/app:1.0", "ghcr.io/user/app:sha-860c190", "ghcr.io/user/app:latest"}},
		{"tag18", tag("p1/v1.0.0"), two, []string{`type=match,pattern=p1/v(\d.\d.\d),group=1`, `type=match,pattern=p1/v(\d.\d),group=1`,
			`type=match,pattern=p1/v(\d.\d),group=3`, "type=ref,event=pr", "type=sha"}, nil,
			Version{Main: "1.0.0", Partial: []string{"1.0", "sha-860c190"}, Latest: true},
			[]string{"org/app:1.0.0", "org/app:1.0", "org/app:sha-860c190", "org/app:latest", "ghcr.io/user/app:1.0.0", "ghcr.io/user/app:1.0", "ghcr.io/user/app:sha-860c190", "ghcr.io/user/app:latest"}},
		{"tag19", tag("p1/v1.0.0"), two, []string{`type=match,pattern=p1/v(\d.\d.\d),group=1`, `type=match,pattern=p1/v(\d.\d),group=1,suffix=`,
			"type=ref,event=pr", "type=sha"}, []string{"suffix=-dev"},
			Version{Main: "1.0.0-dev", Partial: []string{"1.0", "sha-860c190-dev"}, Latest: true},
			[]string{"org/app:1.0.0-dev", "org/app:1.0", "org/app:sha-860c190-dev", "org/app:latest", "ghcr.io/user/app:1.0.0-dev", "ghcr.io/user/app:1.0", "ghcr.io/user/app:sha-860c190-dev", "ghcr.io/user/app:latest"}},
		{"tag20", tagWithBase("v1.1.1", "master"), two, []string{"type=raw,{{tag}}-{{sha}}-foo", "type=raw,{{base_ref}}-foo", "type=raw,defbranch-foo,enable={{is_default_branch}}"}, nil,
			Version{Main: "v1.1.1-860c190-foo", Partial: []string{"master-foo"}},
			[]string{"org/app:v1.1.1-860c190-foo", "org/app:master-foo", "ghcr.io/user/app:v1.1.1-860c190-foo", "ghcr.io/user/app:master-foo"}},
		{"latest03", tag("20200110-RC2"), []string{"user/app"}, []string{`type=match,pattern=\d{8}`}, nil, Version{Main: "20200110", Latest: true},
			[]string{"user/app:20200110", "user/app:latest"}},
		{"latest04", tag("v1.1.1"), []string{"user/app"}, []string{`type=match,"pattern=\d.\d.\d"`}, nil, Version{Main: "1.1.1", Latest: true},
			[]string{"user/app:1.1.1", "user/app:latest"}},
		{"latest05", tag("v1.1.1"), two, nil, nil, Version{Main: "v1.1.1", Latest: true},
			[]string{"org/app:v1.1.1", "org/app:latest", "ghcr.io/user/app:v1.1.1", "ghcr.io/user/app:latest"}},
		{"latest06", tag("v2.0.8-beta.67"), two, []string{`type=match,"pattern=\d.\d.\d"`}, nil, Version{Main: "2.0.8", Latest: true},
			[]string{"org/app:2.0.8", "org/app:latest", "ghcr.io/user/app:2.0.8", "ghcr.io/user/app:latest"}},
		{"latest07", tag("v1.1.1"), two, []string{"type=ref,event=tag"}, []string{"latest=false"}, Version{Main: "v1.1.1"},
			[]string{"org/app:v1.1.1", "ghcr.io/user/app:v1.1.1"}},
		{"latest08", tag("v1.1.1"), []string{"org/app", "ghcr.io/MyUSER/MyApp"}, []string{"type=ref,event=tag"}, []string{"latest=false"}, Version{Main: "v1.1.1"},
			[]string{"org/app:v1.1.1", "ghcr.io/myuser/myapp:v1.1.1"}},
		{"latest10", tag("v2.0.8-beta.67"), nil, []string{`type=match,"pattern=\d.\d.\d"`}, nil, Version{Main: "2.0.8", Latest: true},
			[]string{"2.0.8", "latest"}},
		{"pr01", pr, []string{"user/app"}, nil, nil, Version{Main: "pr-15"}, []string{"user/app:pr-15"}},
		{"pr02", pr, two, nil, nil, Version{Main: "pr-15"}, []string{"org/app:pr-15", "ghcr.io/user/app:pr-15"}},
		{"pr03", pr, two, []string{"type=ref,event=pr", "type=sha"}, nil, Version{Main: "pr-15", Partial: []string{"sha-a9c8c58"}},
			[]string{"org/app:pr-15", "org/app:sha-a9c8c58", "ghcr.io/user/app:pr-15", "ghcr.io/user/app:sha-a9c8c58"}},
		{"pr04", pr, two, []string{"type=sha,priority=2000", "type=ref,event=pr"}, nil, Version{Main: "sha-a9c8c58", Partial: []string{"pr-15"}},
			[]string{"org/app:sha-a9c8c58", "org/app:pr-15", "ghcr.io/user/app:sha-a9c8c58", "ghcr.io/user/app:pr-15"}},
		{"pr05", pr, two, []string{"type=ref,event=pr"}, []string{"prefix=glo-", "suffix=-bal"}, Version{Main: "pr-15-bal"},
			[]string{"org/app:pr-15-bal", "ghcr.io/user/app:pr-15-bal"}},
		{"pr06", pr, two, []string{"type=ref,event=pr,prefix="}, []string{"prefix=glo-", "suffix=-bal"}, Version{Main: "15-bal"},
			[]string{"org/app:15-bal", "ghcr.io/user/app:15-bal"}},
		{"pr11", prOnMaster, []string{"org/app"}, []string{"type=raw,value=mytag-{{base_ref}}", "type=raw,mytag-defbranch,enable={{is_default_branch}}"},
			nil, Version{Main: "mytag-master"}, []string{"org/app:mytag-master"}},
		{"pr12", pr, []string{"org/app"}, []string{"type=raw,value={{commit_date YYYY-MM-DD-HHmmSS}}"}, nil,
			Version{Main: "2020-01-10T00-30-00Z"}, []string{"org/app:2020-01-10T00-30-00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Compute(Inputs{Images: tc.images, Tags: tc.tags, Flavor: tc.flavor}, tc.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, r.Version, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("version (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantReferences, r.Tags, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetadataActionLabelsAndAnnotations is latest09: the labels and
// annotations inputs override the defaults each on its own side.
func TestMetadataActionLabelsAndAnnotations(t *testing.T) {
	t.Parallel()
	ctx := ctxFor("push", "refs/tags/v1.1.1")
	ctx.Repo = Repo{Name: "Hello-World", Description: "This your first repo!", URL: "https://github.com/octocat/Hello-World", License: "MIT"}
	r, err := Compute(Inputs{Images: []string{"org/app", "ghcr.io/MyUSER/MyApp"}, Tags: []string{"type=ref,event=tag"}, Flavor: []string{"latest=false"},
		Labels: []string{"maintainer=CrazyMax", `org.opencontainers.image.description=this is a "good" example`,
			"org.opencontainers.image.title=MyCustomTitle", "org.opencontainers.image.vendor=MyCompany"},
		Annotations: []string{"maintainer=Foo", `org.opencontainers.image.description=this is a "bad" example`,
			"org.opencontainers.image.title=MyNotTitle", "org.opencontainers.image.vendor=MyNotCompany"}}, ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLabels := []string{"maintainer=CrazyMax", "org.opencontainers.image.created=2020-01-10T00:30:00.000Z",
		`org.opencontainers.image.description=this is a "good" example`, "org.opencontainers.image.licenses=MIT",
		"org.opencontainers.image.revision=" + shaDev, "org.opencontainers.image.source=https://github.com/octocat/Hello-World",
		"org.opencontainers.image.title=MyCustomTitle", "org.opencontainers.image.url=https://github.com/octocat/Hello-World",
		"org.opencontainers.image.vendor=MyCompany", "org.opencontainers.image.version=v1.1.1"}
	wantAnnotations := []string{"manifest:maintainer=Foo", "manifest:org.opencontainers.image.created=2020-01-10T00:30:00.000Z",
		`manifest:org.opencontainers.image.description=this is a "bad" example`, "manifest:org.opencontainers.image.licenses=MIT",
		"manifest:org.opencontainers.image.revision=" + shaDev, "manifest:org.opencontainers.image.source=https://github.com/octocat/Hello-World",
		"manifest:org.opencontainers.image.title=MyNotTitle", "manifest:org.opencontainers.image.url=https://github.com/octocat/Hello-World",
		"manifest:org.opencontainers.image.vendor=MyNotCompany", "manifest:org.opencontainers.image.version=v1.1.1"}
	if diff := cmp.Diff(wantLabels, r.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantAnnotations, r.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}
