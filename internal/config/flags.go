package config

import (
	"flag"
	"strings"

	"github.com/shiptag/shiptag/internal/inputs"
)

// Command is a set of shiptag's commands, as bits: which commands take a
// setting is declared with the setting.
type Command uint8

// The commands that take settings.
const (
	Plan Command = 1 << iota
	Publish
	Export
	Meta
	Cleanup
	// CIEnv is ci-env: what it derives, and from what.
	CIEnv
)

// commandNames are the commands in help order, by bit.
var commandNames = []struct {
	bit  Command
	name string
}{{Plan, "plan"}, {Publish, "publish"}, {Export, "export"}, {Meta, "meta"}, {Cleanup, "cleanup"}, {CIEnv, "ci-env"}}

// field ties one setting to its flag, the commands that take it and its help
// text; its variable comes from package inputs (the password's is
// inputs.Password).
type field struct {
	flag     string
	commands Command
	usage    string
	ptr      func(c *Config) any // *string, *int, *bool, *Duration, *Lines or *Tags
}

// env is the field's variable, with the prefix.
func (f field) env() string {
	if f.flag == "" {
		return inputs.Password
	}
	return inputs.Variable(f.flag)
}

// fields lists every setting in help order; a test checks it against
// Config's env tags. A setting with no flag name is read from its variable
// only.
var fields = []field{
	{"repo", Plan | Publish | Cleanup | CIEnv, "`REPO` to publish to (the images repo), e.g. registry.example.com/team/app (default on CI: the platform's registry)",
		func(c *Config) any { return &c.Repo }},
	{"image", Plan | Publish | Export | Cleanup, "image as `NAME=SOURCE`, NAME (plan), or =SOURCE for the nameless image; a list",
		func(c *Config) any { return &c.Images }},
	{"repo-mode", Plan | Publish | Cleanup | CIEnv, "where named images go: auto, multirepo (REPO/NAME:TAG) or monorepo (REPO:NAME-TAG)",
		func(c *Config) any { return &c.RepoMode }},
	{"registry-implementation", Plan | Publish | Cleanup | CIEnv, "registry kind for repo-mode auto: auto, default, dockerhub, ecr, acr, gcr, github, gitlab, harbor, quay",
		func(c *Config) any { return &c.RegistryImplementation }},
	{"tagging-strategy", Plan | Publish | CIEnv, "tag-or-branch: tag with the CI job's git tag, else its branch; none: only the --tag-* flags",
		func(c *Config) any { return &c.TaggingStrategy }},
	{"tag-git-tag", Plan | Publish | CIEnv, "tag with the slug of this git tag",
		func(c *Config) any { return &c.TagGitTag }},
	{"tag-git-branch", Plan | Publish | CIEnv, "tag with the slug of this git branch",
		func(c *Config) any { return &c.TagGitBranch }},
	{"tag-git-commit", Plan | Publish, "tag with the slug of this git commit",
		func(c *Config) any { return &c.TagGitCommit }},
	{"tag-custom", Plan | Publish, "`TAG` verbatim (must be a valid docker tag); a list, commas separate too",
		func(c *Config) any { return &c.TagCustom }},
	{"slug", Plan | Publish | CIEnv, "how git values become tags: strict (werf's published examples) or docker-tag (werf's slug.DockerTag, byte for byte: keeps valid docker tags)",
		func(c *Config) any { return &c.Slug }},
	{"platform", Plan | Publish | Export | Meta | Cleanup | CIEnv, "CI platform: auto, github, gitlab or local",
		func(c *Config) any { return &c.Platform }},
	{"output", Plan | Publish | Export | Meta | Cleanup, "what to print on stdout: text or json",
		func(c *Config) any { return &c.Output }},
	{"dotenv-file", Plan | Publish | Export | Meta | Cleanup, "GitLab dotenv report to write (default: shiptag.env in CI_PROJECT_DIR)",
		func(c *Config) any { return &c.DotenvFile }},
	{"meta-labels", Publish, "labels recording the tagging schema: per-tag (each tag its own image), shared (one digest for all tags) or none",
		func(c *Config) any { return &c.MetaLabels }},
	{"add-label", Publish | Export, "label as `KEY=VALUE` to add to every published image; a list",
		func(c *Config) any { return &c.AddLabel }},
	{"jobs", Publish | Export | Cleanup, "requests in flight at once, for each kind of work (sources, push checks, uploads, and the small requests such as tag reads, blob probes, mounts, manifest writes and cleanup's reads); 0 picks 16, and 64 for the small requests, which share one HTTP/2 connection, sized for waiting on the network rather than for the CPUs",
		func(c *Config) any { return &c.Jobs }},
	{"timeout", Publish | Export | Cleanup, "how long a registry or git remote may go without answering (to the first byte of an answer, or between bytes of a transfer) before the request fails and is retried; a registry silent for three times this long fails the run",
		func(c *Config) any { return &c.Timeout }},
	{"dry-run", Publish | Export | Cleanup, "print the plan without changing a registry: what would be pushed, with digests, or (cleanup) what would be deleted",
		func(c *Config) any { return &c.DryRun }},
	{"docker-config", Publish | Export | Cleanup, "docker config directory with credentials (default: DOCKER_CONFIG, else ~/.docker)",
		func(c *Config) any { return &c.DockerConfig }},
	{"username", Publish | Export | Cleanup, "user to log in as to the registries written to (--repo's, or those --tag names); the password comes from --password-stdin or SHIPTAG_PASSWORD",
		func(c *Config) any { return &c.Username }},
	{"", Publish | Export | Cleanup, "password or token for --username (variable only: never on the command line)",
		func(c *Config) any { return &c.Password }},
	{"insecure-registry", Publish | Export | Cleanup, "`HOST[:PORT]` whose TLS certificate is not verified; a list, commas separate too",
		func(c *Config) any { return &c.InsecureRegistry }},
	{"push-by-digest", Publish, "push each image by digest only, unchanged: no tag, no labels (one platform of a multi-runner build, for a later publish to merge); the digest output names it",
		func(c *Config) any { return &c.PushByDigest }},
	{"referrers", Publish | Export | Cleanup, "copy a registry source's signatures, SBOMs and attestations (its referrers, and cosign's .sig/.att/.sbom tags) to where it is published or exported unchanged (--meta-labels none; an export of an image without werf labels); cleanup deletes those of a deleted image that nothing kept uses",
		func(c *Config) any { return &c.Referrers }},
	{"stages", Plan | Publish, "also push every image's stages (the image after each layer) as REPO:image-stage-SIGNATURE, a build cache; plan reads the sources to list them",
		func(c *Config) any { return &c.Stages }},
	{"tag", Export, "`TEMPLATE` of a reference to export to, with %image%, %image_slug%, %image_safe_slug%, %image_content_based_tag%; a list",
		func(c *Config) any { return &c.ExportTag }},
	{"add-label-separator", Export, "separator of several KEY=VALUE pairs in one --add-label value",
		func(c *Config) any { return &c.AddLabelSeparator }},
	{"images", Meta, "docker/metadata-action's images input: `IMAGE` base names (name=…,enable=…); a list",
		func(c *Config) any { return &c.MetaImages }},
	{"tags", Plan | Publish | Meta, "docker/metadata-action's tags input: `RULE`s (type=semver,pattern={{version}} …), plan and publish add their tags; a list",
		func(c *Config) any { return &c.MetaTags }},
	{"flavor", Plan | Publish | Meta, "docker/metadata-action's flavor input: latest=auto|true|false, prefix=…, suffix=…, onlatest=…; a list",
		func(c *Config) any { return &c.MetaFlavor }},
	{"labels", Meta | Publish, "docker/metadata-action's labels input: `KEY=VALUE`s added to the OCI labels (publish: with --tags, on every image); a list",
		func(c *Config) any { return &c.MetaLabelList }},
	{"annotations", Meta | Publish, "docker/metadata-action's annotations input: `KEY=VALUE`s (publish: with --tags, on the manifests by DOCKER_METADATA_ANNOTATIONS_LEVELS); a list",
		func(c *Config) any { return &c.MetaAnnotations }},
	{"sep-tags", Meta, "separator of the tags and tag-names outputs",
		func(c *Config) any { return &c.MetaSepTags }},
	{"sep-labels", Meta, "separator of the labels output",
		func(c *Config) any { return &c.MetaSepLabels }},
	{"sep-annotations", Meta, "separator of the annotations output",
		func(c *Config) any { return &c.MetaSepAnnotations }},
	{"git-dir", Cleanup, "git repository whose branches, tags and commits cleanup keeps images for; its remote origin is asked for the branch and tag names (git ls-remote), and what a partial clone cannot prove gone is kept",
		func(c *Config) any { return &c.GitDir }},
	{"git-tag-strategy-limit", Cleanup, "keep at most this many git-tag images per image, the newest (-1: no limit)",
		func(c *Config) any { return &c.GitTagLimit }},
	{"git-tag-strategy-expiry-days", Cleanup, "delete git-tag images older than this many days, counted from git's date for the tag (or the image's time, if later) (-1: never)",
		func(c *Config) any { return &c.GitTagExpiryDays }},
	{"git-commit-strategy-limit", Cleanup, "keep at most this many git-commit images per image, the newest (-1: no limit)",
		func(c *Config) any { return &c.GitCommitLimit }},
	{"git-commit-strategy-expiry-days", Cleanup, "delete git-commit images older than this many days, counted from git's date for the commit (or the image's time, if later) (-1: never)",
		func(c *Config) any { return &c.GitCommitExpiryDays }},
}

// helpFor is a setting's help where one command reads it otherwise than
// the table's text (which the README and the inputs show) says.
var helpFor = map[Command]map[string]string{
	Plan:    {"image": "image as `NAME` (plan reads no source), NAME=SOURCE, or =SOURCE for the nameless image; a list"},
	Publish: {"image": "image as `NAME=SOURCE`, or =SOURCE for the nameless image; a list"},
	Export:  {"image": "image as `NAME=SOURCE`, or =SOURCE for the nameless image; a list"},
	Cleanup: {
		"image": "`NAME` of an image whose tags to clean, as publish named it (NAME=SOURCE is taken too, the source unread); a list",
		"repo":  "`REPO` to clean (the images repo publish wrote to), e.g. registry.example.com/team/app (default on CI: the platform's registry)",
		"referrers": "also delete the signatures, SBOMs and attestations of each deleted image (its referrers, cosign's .sig/.att/.sbom tags, " +
			"and theirs) that no kept tag or index uses",
	},
}

// commandsOf lists the names of the commands that take field f.
func commandsOf(f field) []string {
	var out []string
	for _, c := range commandNames {
		if f.commands&c.bit != 0 {
			out = append(out, c.name)
		}
	}
	return out
}

// Bind defines on fs one flag per setting the command takes, each writing
// into c (ci-env takes plan's). List flags replace what a variable gave on
// their first use and append after that.
func Bind(fs *flag.FlagSet, c *Config, command Command) {
	for _, f := range fields {
		if f.commands&command == 0 || f.flag == "" {
			continue // another command's, or set by its variable only
		}
		usage := f.usage
		if u, ok := helpFor[command][f.flag]; ok {
			usage = u
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
func Env(flagName string) string { return inputs.Variable(flagName) }

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
