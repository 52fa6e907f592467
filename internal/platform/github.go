package platform

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"
	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/output"
)

// GitHub Actions' default variables:
// https://docs.github.com/en/actions/reference/variables-reference#default-environment-variables
// werf never had tag-or-branch on GitHub; this mapping is shiptag's own:
//   - a tag push (GITHUB_REF_TYPE=tag, or GITHUB_REF=refs/tags/X) gives the tag;
//   - a pull request gives its head branch (GITHUB_HEAD_REF), since
//     GITHUB_REF_NAME is then "N/merge", and its head commit from the event
//     payload, since GITHUB_SHA is then a merge commit nobody pushed;
//   - any other run on refs/heads/X gives the branch X.

// gitHubFacts maps GitHub Actions variables and the event payload.
func gitHubFacts(getenv ci.Getenv) (ci.Facts, error) {
	action := githubactions.New(githubactions.WithGetenv(githubactions.GetenvFunc(getenv)))
	gh, err := action.Context()
	if gh == nil {
		return ci.Facts{}, fmt.Errorf("reading the GitHub event payload from GITHUB_EVENT_PATH %q: %w", getenv("GITHUB_EVENT_PATH"), err)
	}
	// Other errors are unparsable numbers (GITHUB_RUN_ID and such) that
	// shiptag does not use.
	f := ci.Facts{
		Platform:   ci.GitHub,
		GitCommit:  gh.SHA,
		Registry:   "ghcr.io",
		ProjectDir: gh.Workspace,
		Looked:     "GITHUB_REF_TYPE, GITHUB_REF_NAME, GITHUB_REF and GITHUB_HEAD_REF",
	}
	if gh.Repository != "" {
		f.DefaultRepo = "ghcr.io/" + strings.ToLower(gh.Repository)
		f.SourceURL = strings.TrimSuffix(gh.ServerURL, "/") + "/" + gh.Repository
	}
	// GITHUB_TOKEN is only in the environment when the workflow passes it.
	if token := getenv("GITHUB_TOKEN"); token != "" && gh.Actor != "" {
		f.Login = &ci.Login{Registry: "ghcr.io", Username: gh.Actor, Password: token, From: "GITHUB_ACTOR and GITHUB_TOKEN"}
	}
	switch {
	case gh.RefType == "tag" && gh.RefName != "":
		f.GitTag = gh.RefName
	case strings.HasPrefix(gh.Ref, "refs/tags/"):
		f.GitTag = strings.TrimPrefix(gh.Ref, "refs/tags/")
	case gh.HeadRef != "":
		f.GitBranch = gh.HeadRef
	case strings.HasPrefix(gh.Ref, "refs/heads/"):
		f.GitBranch = strings.TrimPrefix(gh.Ref, "refs/heads/")
	}
	if sha := pullRequestHeadSHA(gh.Event); sha != "" {
		f.GitCommit = sha
	}
	f.Event = gitHubEvent(gh)
	return f, nil
}

// gitHubEvent is the context as metadata-action reads it: for
// pull_request_target the ref is the pull request's merge ref, and the
// commit time comes from the payload (metadata-action asks the API when the
// payload lacks it; shiptag uses no network and takes the current time).
func gitHubEvent(gh *githubactions.GitHubContext) ci.Event {
	ev := ci.Event{Name: gh.EventName, Ref: gh.Ref, SHA: gh.SHA, PRHeadSHA: pullRequestHeadSHA(gh.Event)}
	if strings.Contains(gh.EventName, "pull_request_target") {
		if n, ok := gh.Event["number"].(float64); ok {
			ev.Ref = fmt.Sprintf("refs/pull/%d/merge", int(n))
		}
	}
	pr, _ := gh.Event["pull_request"].(map[string]any)
	base, _ := pr["base"].(map[string]any)
	ev.BaseRef, _ = base["ref"].(string)
	if b, ok := gh.Event["base_ref"].(string); ok && strings.HasPrefix(gh.Ref, "refs/tags/") {
		ev.BaseRef = b
	}
	repo, _ := gh.Event["repository"].(map[string]any)
	ev.DefaultBranch, _ = repo["default_branch"].(string)
	ev.Project.Name, _ = repo["name"].(string)
	ev.Project.Description, _ = repo["description"].(string)
	ev.Project.URL, _ = repo["html_url"].(string)
	license, _ := repo["license"].(map[string]any)
	ev.Project.License, _ = license["spdx_id"].(string)
	ev.CommitTime = commitTime(gh.Event, gh.SHA)
	return ev
}

// commitTime finds the commit's timestamp in a push payload.
func commitTime(event map[string]any, sha string) time.Time {
	commits, _ := event["commits"].([]any)
	head, _ := event["head_commit"].(map[string]any)
	for _, c := range append(commits, head) {
		m, _ := c.(map[string]any)
		if id, _ := m["id"].(string); id == sha && sha != "" {
			ts, _ := m["timestamp"].(string)
			t, _ := time.Parse(time.RFC3339, ts)
			return t
		}
	}
	return time.Time{}
}

// pullRequestHeadSHA returns pull_request.head.sha from an event payload.
func pullRequestHeadSHA(event map[string]any) string {
	pr, _ := event["pull_request"].(map[string]any)
	head, _ := pr["head"].(map[string]any)
	sha, _ := head["sha"].(string)
	return sha
}

func isGitHub(getenv ci.Getenv) bool { return getenv("GITHUB_ACTIONS") == "true" }

// gitHub is GitHub Actions (also under act): step outputs in GITHUB_OUTPUT,
// a table in GITHUB_STEP_SUMMARY, and workflow commands on the log.
type gitHub struct {
	facts  ci.Facts
	getenv ci.Getenv
	log    io.Writer
	action *githubactions.Action
	report dotenvReport
}

func openGitHub(_ context.Context, o Options) (Platform, error) {
	facts, err := gitHubFacts(o.Getenv)
	if err != nil {
		return nil, err
	}
	action := githubactions.New(githubactions.WithWriter(o.Log), githubactions.WithGetenv(githubactions.GetenvFunc(o.Getenv)))
	return &gitHub{facts: facts, getenv: o.Getenv, log: o.Log, action: action, report: dotenvReport{path: o.DotenvFile}}, nil
}

func (g *gitHub) Facts() ci.Facts { return g.facts }

// CheckOutputs checks GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and the report.
func (g *gitHub) CheckOutputs() error {
	for _, key := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"} {
		if _, err := g.fileVar(key); err != nil {
			return err
		}
	}
	return g.report.check()
}

// WriteOutputs writes the step outputs, the summary and, for outputs that
// name an EnvPrefix, the later steps' variables; a file variable that is
// not set is skipped, and the log says so.
func (g *gitHub) WriteOutputs(o output.Outputs) (err error) {
	// go-githubactions panics when a file command fails; the files are
	// checked first, and anything left (a disk filling up) becomes an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("writing GitHub outputs: %v", r)
		}
	}()
	for _, key := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"} {
		if (key == "GITHUB_STEP_SUMMARY" && o.Summary == "") || (key == "GITHUB_ENV" && o.EnvPrefix == "") {
			continue // the command writes no summary, or no variables
		}
		ok, err := g.fileVar(key)
		switch {
		case err != nil:
			return err
		case !ok:
			fmt.Fprintf(g.log, "shiptag: %s is not set: that GitHub output is not written\n", key)
		case key == "GITHUB_OUTPUT":
			for _, v := range o.Step {
				g.action.SetOutput(v.Name, v.Value)
			}
		case key == "GITHUB_ENV":
			for _, v := range o.Step {
				g.action.SetEnv(o.EnvName(v.Name), v.Value)
			}
		default:
			g.action.AddStepSummary(o.Summary)
		}
	}
	return g.report.write(o, g.log)
}

// fileVar reports whether the file named by variable key is set, and checks
// that it can be appended to.
func (g *gitHub) fileVar(key string) (bool, error) {
	path := g.getenv(key)
	if path == "" {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return false, inputs.Variablef(key, "%q cannot be written: %w; unset %s or point it at a writable file", path, err, key)
	}
	return true, f.Close()
}

// Mask registers the secret with ::add-mask::.
func (g *gitHub) Mask(secret string) {
	if secret != "" {
		g.action.AddMask(secret)
	}
}

// Group wraps the lines in ::group:: and ::endgroup::.
func (g *gitHub) Group(title string) func() {
	g.action.Group(title)
	return g.action.EndGroup
}

// Annotate writes ::warning:: or ::error::, which GitHub lists on the run.
func (g *gitHub) Annotate(level Level, msg string) {
	if level == Error {
		g.action.Errorf("%s", msg)
		return
	}
	g.action.Warningf("%s", msg)
}

// PartialCheckout: actions/checkout's clone is a choice of the workflow,
// which cleanup reads from the clone itself.
func (g *gitHub) PartialCheckout() string { return "" }

// Interactive is false: the log is read after the fact.
func (g *gitHub) Interactive() bool { return false }
