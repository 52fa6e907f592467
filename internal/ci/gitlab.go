package ci

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
	return f
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
