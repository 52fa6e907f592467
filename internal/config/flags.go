package config

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// field ties one setting to its flag, its variable and its help text.
type field struct {
	flag, env, usage string
	ptr              func(c *Config) any // *string, *int, *bool, *Duration, *Lines or *Tags
}

// firstPublishField is where the settings only publishing uses begin.
const firstPublishField = "meta-labels"

// fields lists every setting; a test checks it against Config's env tags.
// A setting with no flag name is read from its variable only.
var fields = []field{
	{"repo", "REPO", "`REPO` to publish to (the images repo), e.g. registry.example.com/team/app (default on CI: the platform's registry)",
		func(c *Config) any { return &c.Repo }},
	{"image", "IMAGES", "image as `NAME=SOURCE`, NAME (plan), or =SOURCE for the nameless image; a list",
		func(c *Config) any { return &c.Images }},
	{"repo-mode", "REPO_MODE", "where named images go: auto, multirepo (REPO/NAME:TAG) or monorepo (REPO:NAME-TAG)",
		func(c *Config) any { return &c.RepoMode }},
	{"registry-implementation", "REGISTRY_IMPLEMENTATION", "registry kind for repo-mode auto: auto, default, dockerhub, ecr, acr, gcr, github, gitlab, harbor, quay",
		func(c *Config) any { return &c.RegistryImplementation }},
	{"tagging-strategy", "TAGGING_STRATEGY", "tag-or-branch: tag with the CI job's git tag, else its branch; none: only the --tag-* flags",
		func(c *Config) any { return &c.TaggingStrategy }},
	{"tag-git-tag", "TAG_GIT_TAG", "tag with the slug of this git tag",
		func(c *Config) any { return &c.TagGitTag }},
	{"tag-git-branch", "TAG_GIT_BRANCH", "tag with the slug of this git branch",
		func(c *Config) any { return &c.TagGitBranch }},
	{"tag-git-commit", "TAG_GIT_COMMIT", "tag with the slug of this git commit",
		func(c *Config) any { return &c.TagGitCommit }},
	{"tag-custom", "TAG_CUSTOM", "`TAG` verbatim (must be a valid docker tag); a list, commas separate too",
		func(c *Config) any { return &c.TagCustom }},
	{"slug", "SLUG", "how git values become tags: strict (werf's documented rule) or docker-tag (werf >= 1.0: keeps valid docker tags)",
		func(c *Config) any { return &c.Slug }},
	{"platform", "PLATFORM", "CI platform: auto, github, gitlab or local",
		func(c *Config) any { return &c.Platform }},
	{"output", "OUTPUT", "what to print on stdout: text or json",
		func(c *Config) any { return &c.Output }},
	{"dotenv-file", "DOTENV_FILE", "GitLab dotenv report to write (default: shiptag.env in CI_PROJECT_DIR)",
		func(c *Config) any { return &c.DotenvFile }},
	{"meta-labels", "META_LABELS", "labels recording the tagging schema: per-tag (each tag its own image), shared (one digest for all tags) or none",
		func(c *Config) any { return &c.MetaLabels }},
	{"add-label", "ADD_LABEL", "label as `KEY=VALUE` to add to every published image; a list",
		func(c *Config) any { return &c.AddLabel }},
	{"jobs", "JOBS", "requests in flight at once; 0 picks twice the CPUs, between 4 and 16",
		func(c *Config) any { return &c.Jobs }},
	{"timeout", "TIMEOUT", "how long a registry or git remote may go without answering (to the first byte of an answer, or between bytes of a transfer) before the request fails and is retried; a registry silent for three times this long fails the run",
		func(c *Config) any { return &c.Timeout }},
	{"dry-run", "DRY_RUN", "print the plan without changing a registry: what would be pushed, with digests, or (cleanup) what would be deleted",
		func(c *Config) any { return &c.DryRun }},
	{"docker-config", "DOCKER_CONFIG", "docker config directory with credentials (default: DOCKER_CONFIG, else ~/.docker)",
		func(c *Config) any { return &c.DockerConfig }},
	{"username", "USERNAME", "user to log in as to the registries written to (--repo's, or those --tag names); the password comes from --password-stdin or SHIPTAG_PASSWORD",
		func(c *Config) any { return &c.Username }},
	{"", "PASSWORD", "password or token for --username (variable only: never on the command line)",
		func(c *Config) any { return &c.Password }},
	{"insecure-registry", "INSECURE_REGISTRY", "`HOST[:PORT]` whose TLS certificate is not verified; a list, commas separate too",
		func(c *Config) any { return &c.InsecureRegistry }},
	{"stages", "STAGES", "also push every image's stages (the image after each layer) as REPO:image-stage-SIGNATURE, a build cache; plan reads the sources to list them",
		func(c *Config) any { return &c.Stages }},
	{"tag", "EXPORT_TAG", "`TEMPLATE` of a reference to export to, with %image%, %image_slug%, %image_safe_slug%, %image_content_based_tag%; a list",
		func(c *Config) any { return &c.ExportTag }},
	{"add-label-separator", "ADD_LABEL_SEPARATOR", "separator of several KEY=VALUE pairs in one --add-label value",
		func(c *Config) any { return &c.AddLabelSeparator }},
	{"images", "META_IMAGES", "docker/metadata-action's images input: `IMAGE` base names (name=…,enable=…); a list",
		func(c *Config) any { return &c.MetaImages }},
	{"tags", "META_TAGS", "docker/metadata-action's tags input: `RULE`s (type=semver,pattern={{version}} …), plan and publish add their tags; a list",
		func(c *Config) any { return &c.MetaTags }},
	{"flavor", "META_FLAVOR", "docker/metadata-action's flavor input: latest=auto|true|false, prefix=…, suffix=…, onlatest=…; a list",
		func(c *Config) any { return &c.MetaFlavor }},
	{"labels", "META_LABEL_LIST", "docker/metadata-action's labels input: `KEY=VALUE`s added to the OCI labels; a list",
		func(c *Config) any { return &c.MetaLabelList }},
	{"annotations", "META_ANNOTATIONS", "docker/metadata-action's annotations input: `KEY=VALUE`s; a list",
		func(c *Config) any { return &c.MetaAnnotations }},
	{"sep-tags", "META_SEP_TAGS", "separator of the tags and tag-names outputs",
		func(c *Config) any { return &c.MetaSepTags }},
	{"sep-labels", "META_SEP_LABELS", "separator of the labels output",
		func(c *Config) any { return &c.MetaSepLabels }},
	{"sep-annotations", "META_SEP_ANNOTATIONS", "separator of the annotations output",
		func(c *Config) any { return &c.MetaSepAnnotations }},
	{"git-dir", "GIT_DIR", "git repository whose branches, tags and commits cleanup keeps images for; its remote origin is asked for the branch and tag names (git ls-remote), and what a partial clone cannot prove gone is kept",
		func(c *Config) any { return &c.GitDir }},
	{"git-tag-strategy-limit", "GIT_TAG_STRATEGY_LIMIT", "keep at most this many git-tag images per image, the newest (-1: no limit)",
		func(c *Config) any { return &c.GitTagLimit }},
	{"git-tag-strategy-expiry-days", "GIT_TAG_STRATEGY_EXPIRY_DAYS", "delete git-tag images older than this many days, counted from git's date for the tag (or the image's time, if later) (-1: never)",
		func(c *Config) any { return &c.GitTagExpiryDays }},
	{"git-commit-strategy-limit", "GIT_COMMIT_STRATEGY_LIMIT", "keep at most this many git-commit images per image, the newest (-1: no limit)",
		func(c *Config) any { return &c.GitCommitLimit }},
	{"git-commit-strategy-expiry-days", "GIT_COMMIT_STRATEGY_EXPIRY_DAYS", "delete git-commit images older than this many days, counted from git's date for the commit (or the image's time, if later) (-1: never)",
		func(c *Config) any { return &c.GitCommitExpiryDays }},
}

// firstMetaField is where the settings of metadata-action's rules begin.
const firstMetaField = "images"

// firstCleanupField is where the settings only cleanup uses begin.
const firstCleanupField = "git-dir"

// cleanupShared are the general settings cleanup takes: the naming of
// publish, and its registry access ("" is the password).
var cleanupShared = []string{"repo", "image", "repo-mode", "registry-implementation", "platform", "output",
	"dotenv-file", "jobs", "timeout", "dry-run", "docker-config", "username", "", "insecure-registry"}

// planAlso are settings of later groups that plan (and publish) take too:
// metaRules are another source of tags, and plan lists stages.
var planAlso = []string{"tags", "flavor", "stages"}

// metaShared are the general settings meta takes.
var metaShared = []string{"platform", "output", "dotenv-file"}

// firstExportField is where the settings only export uses begin.
const firstExportField = "tag"

// exportFlags are the settings export uses: its own, and those it shares
// ("" is the password, which has no flag).
var exportFlags = []string{"image", "platform", "output", "dotenv-file", "add-label", "jobs", "timeout", "dry-run",
	"docker-config", "username", "", "insecure-registry", "tag", "add-label-separator"}

// uses reports whether command takes field i.
func uses(i int, command string) bool {
	f, group := fields[i], groupOf(i)
	rule := slices.Contains(planAlso, f.flag)
	switch command {
	case "plan":
		return group == "plan" || rule
	case "publish":
		return group == "plan" || group == "publish" || rule
	case "export":
		return slices.Contains(exportFlags, f.flag)
	case "meta":
		return group == "meta" || slices.Contains(metaShared, f.flag)
	case "cleanup":
		return group == "cleanup" || slices.Contains(cleanupShared, f.flag)
	}
	return false
}

// commandsOf lists the commands that use field i.
func commandsOf(i int) []string {
	var out []string
	for _, c := range []string{"plan", "publish", "export", "meta", "cleanup"} {
		if uses(i, c) {
			out = append(out, c)
		}
	}
	return out
}

// groupOf says which block of fields index i is in.
func groupOf(i int) string {
	group := "plan"
	for j := 0; j <= i; j++ {
		switch fields[j].flag {
		case firstPublishField:
			group = "publish"
		case firstExportField:
			group = "export"
		case firstMetaField:
			group = "meta"
		case firstCleanupField:
			group = "cleanup"
		}
	}
	return group
}

// Bind defines one flag per planning setting on fs (what plan and ci-env
// use), each writing into c. List flags replace what a variable gave on
// their first use and append after that.
func Bind(fs *flag.FlagSet, c *Config) { bind(fs, c, "plan") }

// BindPublish defines the flags of publish: planning and publishing.
func BindPublish(fs *flag.FlagSet, c *Config) { bind(fs, c, "publish") }

// BindExport defines the flags of export.
func BindExport(fs *flag.FlagSet, c *Config) { bind(fs, c, "export") }

// BindMeta defines the flags of meta: metadata-action's inputs.
func BindMeta(fs *flag.FlagSet, c *Config) { bind(fs, c, "meta") }

// BindCleanup defines the flags of cleanup.
func BindCleanup(fs *flag.FlagSet, c *Config) { bind(fs, c, "cleanup") }

func bind(fs *flag.FlagSet, c *Config, command string) {
	for i, f := range fields {
		if !uses(i, command) {
			continue
		}
		usage := f.usage
		if f.flag == "" {
			continue // set by its variable only
		}
		switch p := f.ptr(c).(type) {
		case *string:
			fs.StringVar(p, f.flag, *p, usage)
		case *int:
			fs.IntVar(p, f.flag, *p, usage)
		case *bool:
			fs.BoolVar(p, f.flag, *p, usage)
		case *Duration:
			fs.Var(p, f.flag, usage)
		case *Lines:
			fs.Var(&listFlag{list: (*[]string)(p)}, f.flag, usage)
		case *Tags:
			fs.Var(&listFlag{list: (*[]string)(p), commas: true}, f.flag, usage)
		}
	}
}

// Flags lists the flag names of every setting, in the order help shows them.
func Flags() []string {
	var names []string
	for _, f := range fields {
		if f.flag != "" {
			names = append(names, f.flag)
		}
	}
	return names
}

// Env returns the variable that sets the flag's setting, or "" if none.
func Env(flagName string) string {
	for _, f := range fields {
		if f.flag == flagName && f.flag != "" {
			return EnvPrefix + f.env
		}
	}
	return ""
}

// Input names a setting the way errors show it: "--repo (SHIPTAG_REPO)".
func Input(flagName string) string {
	for _, f := range fields {
		if f.flag == flagName {
			return "--" + f.flag + " (" + EnvPrefix + f.env + ")"
		}
	}
	return "--" + flagName
}

// listFlag is a repeatable flag over a list that a variable may have filled.
type listFlag struct {
	list   *[]string
	commas bool // Tags: commas separate entries too
	set    bool
}

// String shows the list as flag help shows a value.
func (l *listFlag) String() string {
	if l == nil || l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

// Set adds one use of the flag, replacing the variable's list on the
// first; the value is read by the list grammar, as the variable is.
func (l *listFlag) Set(v string) error {
	if !l.set {
		*l.list, l.set = nil, true
	}
	*l.list = append(*l.list, parseList(v, l.commas)...)
	return nil
}

// InputError is a bad value of one setting; it is the user's to fix, so the
// command exits with the usage status.
type InputError struct {
	Input string // as Input returns it, or a variable's name
	Err   error
}

// Error names the setting first, then what is wrong with it.
func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.Input, e.Err) }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Errorf returns an InputError for the setting with the given flag name.
func Errorf(flagName, format string, args ...any) error {
	return &InputError{Input: Input(flagName), Err: fmt.Errorf(format, args...)}
}
