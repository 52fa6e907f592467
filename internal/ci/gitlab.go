package ci

// GitLab's predefined variables:
// https://docs.gitlab.com/ee/ci/variables/predefined_variables.html
// The CI_BUILD_* names are the deprecated forms of GitLab 8 that werf still
// reads first; shiptag does the same so that old pipelines keep their tags.

// gitLabFacts maps GitLab CI/CD variables. In merge request pipelines
// CI_COMMIT_REF_NAME is the source branch, which is what the tag should name.
func gitLabFacts(getenv Getenv) Facts {
	return Facts{
		Platform:    GitLab,
		GitTag:      firstSet(getenv, "CI_BUILD_TAG", "CI_COMMIT_TAG"),
		GitBranch:   firstSet(getenv, "CI_BUILD_REF_NAME", "CI_COMMIT_REF_NAME", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
		GitCommit:   firstSet(getenv, "CI_COMMIT_SHA", "CI_BUILD_REF"),
		DefaultRepo: getenv("CI_REGISTRY_IMAGE"),
		Registry:    getenv("CI_REGISTRY"),
		ProjectDir:  getenv("CI_PROJECT_DIR"),
		Looked:      "CI_BUILD_TAG, CI_COMMIT_TAG, CI_BUILD_REF_NAME, CI_COMMIT_REF_NAME and CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
	}
}
