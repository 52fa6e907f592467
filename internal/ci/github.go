package ci

import (
	"fmt"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"
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
func gitHubFacts(getenv Getenv) (Facts, error) {
	action := githubactions.New(githubactions.WithGetenv(githubactions.GetenvFunc(getenv)))
	gh, err := action.Context()
	if gh == nil {
		return Facts{}, fmt.Errorf("reading the GitHub event payload from GITHUB_EVENT_PATH %q: %w", getenv("GITHUB_EVENT_PATH"), err)
	}
	// Other errors are unparsable numbers (GITHUB_RUN_ID and such) that
	// shiptag does not use.
	f := Facts{
		Platform:   GitHub,
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
		f.Login = &Login{Registry: "ghcr.io", Username: gh.Actor, Password: token, From: "GITHUB_ACTOR and GITHUB_TOKEN"}
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
func gitHubEvent(gh *githubactions.GitHubContext) Event {
	ev := Event{Name: gh.EventName, Ref: gh.Ref, SHA: gh.SHA, PRHeadSHA: pullRequestHeadSHA(gh.Event)}
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
