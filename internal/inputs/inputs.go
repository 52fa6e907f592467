// Package inputs names the user's settings and carries mistakes in them.
// It is a leaf: the packages that check a value (naming, tagging, plan,
// output, export, cleanup) return an *Error naming the flag and variable the
// user wrote, without depending on the settings struct in config, and the
// command maps any *Error to the usage exit status.
package inputs

import "fmt"

// Prefix starts the name of every variable shiptag reads its settings from.
const Prefix = "SHIPTAG_"

// Password is the variable of the password: it has no flag, so that it never
// shows in a process list.
const Password = Prefix + "PASSWORD"

// variables maps each flag to its variable, without Prefix. config's table
// of settings takes its variable names from here; a test there checks that
// both list the same settings.
var variables = map[string]string{
	"repo": "REPO", "image": "IMAGES", "repo-mode": "REPO_MODE", "registry-implementation": "REGISTRY_IMPLEMENTATION",
	"tagging-strategy": "TAGGING_STRATEGY", "tag-git-tag": "TAG_GIT_TAG", "tag-git-branch": "TAG_GIT_BRANCH",
	"tag-git-commit": "TAG_GIT_COMMIT", "tag-custom": "TAG_CUSTOM", "slug": "SLUG", "platform": "PLATFORM",
	"output": "OUTPUT", "dotenv-file": "DOTENV_FILE", "meta-labels": "META_LABELS", "add-label": "ADD_LABEL",
	"jobs": "JOBS", "timeout": "TIMEOUT", "dry-run": "DRY_RUN", "docker-config": "DOCKER_CONFIG",
	"username": "USERNAME", "insecure-registry": "INSECURE_REGISTRY", "stages": "STAGES", "push-by-digest": "PUSH_BY_DIGEST", "referrers": "REFERRERS", "tag": "EXPORT_TAG",
	"add-label-separator": "ADD_LABEL_SEPARATOR", "images": "META_IMAGES", "tags": "META_TAGS",
	"flavor": "META_FLAVOR", "labels": "META_LABEL_LIST", "annotations": "META_ANNOTATIONS",
	"sep-tags": "META_SEP_TAGS", "sep-labels": "META_SEP_LABELS", "sep-annotations": "META_SEP_ANNOTATIONS",
	"git-dir": "GIT_DIR", "git-tag-strategy-limit": "GIT_TAG_STRATEGY_LIMIT",
	"git-tag-strategy-expiry-days": "GIT_TAG_STRATEGY_EXPIRY_DAYS", "git-commit-strategy-limit": "GIT_COMMIT_STRATEGY_LIMIT",
	"git-commit-strategy-expiry-days": "GIT_COMMIT_STRATEGY_EXPIRY_DAYS",
}

// Flags reports every flag that has a variable, for config's check.
func Flags() map[string]string {
	out := make(map[string]string, len(variables))
	for k, v := range variables {
		out[k] = v
	}
	return out
}

// Variable returns the variable that sets a flag's setting, or "" if the
// flag has none (a command's own flag, such as --password-stdin).
func Variable(flag string) string {
	if v, ok := variables[flag]; ok {
		return Prefix + v
	}
	return ""
}

// Name is a setting the way errors show it: "--repo (SHIPTAG_REPO)".
func Name(flag string) string {
	if v := Variable(flag); v != "" {
		return "--" + flag + " (" + v + ")"
	}
	return "--" + flag
}

// Error is a bad value of one input (a setting, or a variable shiptag
// reads, such as SOURCE_DATE_EPOCH); it is the user's to fix, so the
// command exits with the usage status.
type Error struct {
	Input string // as Name returns it, or a variable's name
	Err   error
}

// Error names the input first, then what is wrong with it.
func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Input, e.Err) }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Flag returns an *Error for the setting of a flag.
func Flag(flag string, err error) error { return &Error{Input: Name(flag), Err: err} }

// Errorf returns an *Error for the setting of a flag, with a formatted
// message; %w wraps as in fmt.Errorf.
func Errorf(flag, format string, args ...any) error {
	return &Error{Input: Name(flag), Err: fmt.Errorf(format, args...)}
}

// Variablef returns an *Error for a variable outside shiptag's settings.
func Variablef(variable, format string, args ...any) error {
	return &Error{Input: variable, Err: fmt.Errorf(format, args...)}
}
