package ci

import "time"

// GitLab's predefined variables:
// https://docs.gitlab.com/ee/ci/variables/predefined_variables.html
// The CI_BUILD_* names are the deprecated forms of GitLab 8 that werf still
// reads first; shiptag does the same so that old pipelines keep their tags.

// gitLabFacts maps GitLab CI/CD variables. In merge request pipelines
// CI_COMMIT_REF_NAME is the source branch, which is what the tag should name.
func gitLabFacts(getenv Getenv) Facts {
	f := Facts{
		Platform:    GitLab,
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
func gitLabEvent(getenv Getenv, f Facts) Event {
	ev := Event{Name: "push", SHA: f.GitCommit, DefaultBranch: getenv("CI_DEFAULT_BRANCH"),
		PRHeadSHA: getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"), BaseRef: getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
		Project: Project{Name: getenv("CI_PROJECT_NAME"), Description: getenv("CI_PROJECT_DESCRIPTION"), URL: getenv("CI_PROJECT_URL")}}
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
func gitLabLogin(getenv Getenv, registry string) *Login {
	switch {
	case registry == "":
		return nil
	case getenv("CI_REGISTRY_USER") != "" && getenv("CI_REGISTRY_PASSWORD") != "":
		return &Login{Registry: registry, Username: getenv("CI_REGISTRY_USER"), Password: getenv("CI_REGISTRY_PASSWORD"),
			From: "CI_REGISTRY_USER and CI_REGISTRY_PASSWORD"}
	case getenv("CI_JOB_TOKEN") != "":
		return &Login{Registry: registry, Username: "gitlab-ci-token", Password: getenv("CI_JOB_TOKEN"), From: "CI_JOB_TOKEN"}
	}
	return nil
}
