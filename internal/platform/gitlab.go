package platform

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/output"
)

// GitLab's predefined variables:
// https://docs.gitlab.com/ee/ci/variables/predefined_variables.html
// The CI_BUILD_* names are the deprecated forms of GitLab 8 that werf still
// reads first; shiptag does the same so that old pipelines keep their tags.

// gitLabFacts maps GitLab CI/CD variables. In merge request pipelines
// CI_COMMIT_REF_NAME is the source branch, which is what the tag should name.
func gitLabFacts(getenv ci.Getenv) ci.Facts {
	f := ci.Facts{
		Platform:    ci.GitLab,
		GitTag:      firstSet(getenv, "CI_BUILD_TAG", "CI_COMMIT_TAG"),
		GitBranch:   firstSet(getenv, "CI_BUILD_REF_NAME", "CI_COMMIT_REF_NAME", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
		GitCommit:   firstSet(getenv, "CI_COMMIT_SHA", "CI_BUILD_REF"),
		DefaultRepo: getenv("CI_REGISTRY_IMAGE"),
		Registry:    getenv("CI_REGISTRY"),
		ProjectDir:  getenv("CI_PROJECT_DIR"),
		SourceURL:   getenv("CI_PROJECT_URL"),
		Looked:      "CI_BUILD_TAG, CI_COMMIT_TAG, CI_BUILD_REF_NAME, CI_COMMIT_REF_NAME and CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
	}
	f.Login = gitLabLogin(getenv, f.Registry)
	f.Event = gitLabEvent(getenv, f)
	return f
}

// gitLabEvent maps the pipeline into metadata-action's terms.
func gitLabEvent(getenv ci.Getenv, f ci.Facts) ci.Event {
	ev := ci.Event{Name: "push", SHA: f.GitCommit, DefaultBranch: getenv("CI_DEFAULT_BRANCH"),
		PRHeadSHA: getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"), BaseRef: getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
		Project: ci.Project{Name: getenv("CI_PROJECT_NAME"), Description: getenv("CI_PROJECT_DESCRIPTION"), URL: getenv("CI_PROJECT_URL")}}
	ev.CommitTime, _ = time.Parse(time.RFC3339, getenv("CI_COMMIT_TIMESTAMP"))
	switch getenv("CI_PIPELINE_SOURCE") {
	case "schedule":
		ev.Name = "schedule"
	case "merge_request_event":
		ev.Name = "pull_request"
	}
	switch {
	case f.GitTag != "":
		ev.Ref = "refs/tags/" + f.GitTag
	case ev.Name == "pull_request" && getenv("CI_MERGE_REQUEST_IID") != "":
		ev.Ref = "refs/pull/" + getenv("CI_MERGE_REQUEST_IID") + "/merge"
	case f.GitBranch != "":
		ev.Ref = "refs/heads/" + f.GitBranch
	}
	return ev
}

// gitLabLogin is the job's login to the project's registry: the registry
// user GitLab provides, else the job token.
func gitLabLogin(getenv ci.Getenv, registry string) *ci.Login {
	switch {
	case registry == "":
		return nil
	case getenv("CI_REGISTRY_USER") != "" && getenv("CI_REGISTRY_PASSWORD") != "":
		return &ci.Login{Registry: registry, Username: getenv("CI_REGISTRY_USER"), Password: getenv("CI_REGISTRY_PASSWORD"),
			From: "CI_REGISTRY_USER and CI_REGISTRY_PASSWORD"}
	case getenv("CI_JOB_TOKEN") != "":
		return &ci.Login{Registry: registry, Username: "gitlab-ci-token", Password: getenv("CI_JOB_TOKEN"), From: "CI_JOB_TOKEN"}
	}
	return nil
}

func isGitLab(getenv ci.Getenv) bool { return getenv("GITLAB_CI") == "true" }

// gitLab is GitLab CI/CD: a dotenv report (shiptag.env in the project
// directory, unless --dotenv-file says where) with the whole document in
// shiptag.json beside it, and collapsible log sections.
type gitLab struct {
	facts  ci.Facts
	log    io.Writer
	report dotenvReport
	now    func() time.Time
}

func openGitLab(_ context.Context, o Options) (Platform, error) {
	f := gitLabFacts(o.Getenv)
	path := o.DotenvFile
	if path == "" {
		path = filepath.Join(f.ProjectDir, "shiptag.env")
	}
	return &gitLab{facts: f, log: o.Log, report: dotenvReport{path: path, withJSON: true}, now: time.Now}, nil
}

func (g *gitLab) Facts() ci.Facts                     { return g.facts }
func (g *gitLab) CheckOutputs() error                 { return g.report.check() }
func (g *gitLab) WriteOutputs(o output.Outputs) error { return g.report.write(o, g.log) }

// Mask does nothing: GitLab masks the variables a project marks masked,
// which is where its secrets come from.
func (g *gitLab) Mask(string) {}

// Group opens a collapsed section; its name is fixed, its header the title.
func (g *gitLab) Group(title string) func() {
	const name = "shiptag"
	fmt.Fprintf(g.log, "\x1b[0Ksection_start:%d:%s[collapsed=true]\r\x1b[0K%s\n", g.now().Unix(), name, title)
	return func() { fmt.Fprintf(g.log, "\x1b[0Ksection_end:%d:%s\r\x1b[0K\n", g.now().Unix(), name) }
}

// Annotate does nothing: GitLab shows no marks beside the log.
func (g *gitLab) Annotate(Level, string) {}

// PartialCheckout: a GitLab job fetches only the pipeline's own ref (and
// refs/pipelines/N) unless the project says otherwise.
func (g *gitLab) PartialCheckout() string { return "a GitLab job" }

// Interactive is false: the log is read after the fact.
func (g *gitLab) Interactive() bool { return false }

// firstSet returns the value of the first variable in keys that is not empty.
func firstSet(getenv ci.Getenv, keys ...string) string {
	for _, k := range keys {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}
