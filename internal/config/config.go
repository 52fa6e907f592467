// Package config holds every user setting of shiptag in one struct, read from
// SHIPTAG_* variables and then from command-line flags, which win. Defaults
// live only in the struct's envDefault tags, so the flags' help, the GitHub
// Action and the GitLab component can all be checked against one place.
package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v10"

	"github.com/shiptag/shiptag/internal/inputs"
)

// EnvPrefix starts the name of every variable shiptag reads its settings from.
const EnvPrefix = inputs.Prefix

// Config is every user setting. Values are kept as the user wrote them; the
// packages that use a setting parse it, and an *inputs.Error names its
// source.
type Config struct {
	Repo                   string   `env:"REPO"`
	Images                 Lines    `env:"IMAGES"`
	RepoMode               string   `env:"REPO_MODE" envDefault:"auto"`
	RegistryImplementation string   `env:"REGISTRY_IMPLEMENTATION" envDefault:"auto"`
	TaggingStrategy        string   `env:"TAGGING_STRATEGY" envDefault:"none"`
	TagGitTag              string   `env:"TAG_GIT_TAG"`
	TagGitBranch           string   `env:"TAG_GIT_BRANCH"`
	TagGitCommit           string   `env:"TAG_GIT_COMMIT"`
	TagCustom              Tags     `env:"TAG_CUSTOM"`
	Slug                   string   `env:"SLUG" envDefault:"strict"`
	Platform               string   `env:"PLATFORM" envDefault:"auto"`
	Output                 string   `env:"OUTPUT" envDefault:"text"`
	DotenvFile             string   `env:"DOTENV_FILE"`
	MetaLabels             string   `env:"META_LABELS" envDefault:"per-tag"`
	AddLabel               Lines    `env:"ADD_LABEL"`
	Jobs                   int      `env:"JOBS" envDefault:"0"`
	Timeout                Duration `env:"TIMEOUT" envDefault:"60s"`
	DryRun                 bool     `env:"DRY_RUN" envDefault:"false"`
	DockerConfig           string   `env:"DOCKER_CONFIG"`
	Username               string   `env:"USERNAME"`
	Password               string   `env:"PASSWORD"`
	InsecureRegistry       Tags     `env:"INSECURE_REGISTRY"`
	PushByDigest           bool     `env:"PUSH_BY_DIGEST" envDefault:"false"`
	Referrers              bool     `env:"REFERRERS" envDefault:"true"`
	Stages                 bool     `env:"STAGES" envDefault:"false"`
	ExportTag              Lines    `env:"EXPORT_TAG"`
	AddLabelSeparator      string   `env:"ADD_LABEL_SEPARATOR" envDefault:"\n"`
	MetaImages             Lines    `env:"META_IMAGES"`
	MetaTags               Lines    `env:"META_TAGS"`
	MetaFlavor             Lines    `env:"META_FLAVOR"`
	MetaLabelList          Lines    `env:"META_LABEL_LIST"`
	MetaAnnotations        Lines    `env:"META_ANNOTATIONS"`
	MetaSepTags            string   `env:"META_SEP_TAGS" envDefault:"\n"`
	MetaSepLabels          string   `env:"META_SEP_LABELS" envDefault:"\n"`
	MetaSepAnnotations     string   `env:"META_SEP_ANNOTATIONS" envDefault:"\n"`
	GitDir                 string   `env:"GIT_DIR" envDefault:"."`
	GitTagLimit            int      `env:"GIT_TAG_STRATEGY_LIMIT" envDefault:"10"`
	GitTagExpiryDays       int      `env:"GIT_TAG_STRATEGY_EXPIRY_DAYS" envDefault:"30"`
	GitCommitLimit         int      `env:"GIT_COMMIT_STRATEGY_LIMIT" envDefault:"50"`
	GitCommitExpiryDays    int      `env:"GIT_COMMIT_STRATEGY_EXPIRY_DAYS" envDefault:"30"`
}

// Defaults returns the configuration with nothing set by the user.
func Defaults() Config {
	c, err := FromEnv(map[string]string{})
	if err != nil {
		panic(fmt.Sprintf("config defaults do not parse: %v", err)) // a bug in the tags above
	}
	return c
}

// FromEnv reads the SHIPTAG_* variables of environ over the defaults.
func FromEnv(environ map[string]string) (Config, error) {
	var c Config
	if environ == nil {
		environ = map[string]string{} // env would fall back to the process environment
	}
	err := env.ParseWithOptions(&c, env.Options{Environment: environ, Prefix: EnvPrefix})
	if bad := badVariable(err, environ); bad != nil {
		return Config{}, bad
	}
	if err != nil {
		return Config{}, fmt.Errorf("reading %s* variables: %w", EnvPrefix, err)
	}
	return c, nil
}

// badVariable names the variable of the first value env could not parse.
func badVariable(err error, environ map[string]string) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return nil
	}
	for _, e := range agg.Errors {
		var parse env.ParseError
		if !errors.As(e, &parse) {
			continue
		}
		if f, ok := reflect.TypeOf(Config{}).FieldByName(parse.Name); ok {
			variable := EnvPrefix + f.Tag.Get("env")
			return inputs.Variablef(variable, "%q is not a %s; fix or unset %s", environ[variable], kindName(parse.Type), variable)
		}
	}
	return nil
}

// kindName says what a setting's value must be, for errors.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "whole number"
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int64:
		if t == reflect.TypeOf(Duration(0)) {
			return "duration (seconds, as 90, or 90s, 2m)"
		}
	}
	return t.String()
}

// Duration is a wait, written as people write it: whole seconds ("90") or
// a Go duration ("90s", "2m", "1m30s").
type Duration time.Duration

// UnmarshalText reads a variable's value.
func (d *Duration) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		*d = Duration(time.Duration(secs) * time.Second)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write seconds (90) or a duration (90s, 2m)", s)
	}
	*d = Duration(v)
	return nil
}

// String writes it back, in whole seconds where it is whole.
func (d Duration) String() string {
	if v := time.Duration(d); v%time.Second == 0 {
		return fmt.Sprintf("%ds", v/time.Second)
	}
	return time.Duration(d).String()
}

// Set reads a flag's value.
func (d *Duration) Set(s string) error { return d.UnmarshalText([]byte(s)) }

// The list grammar, one for every list setting, whether it comes from a
// flag (repeated, or one value with several lines), a variable or an
// Action or component input: entries are separated by newlines (and, in
// Tags, by commas, which no tag contains); each is trimmed of surrounding
// space; blank entries are dropped, and so is a line that starts with "#",
// a comment, as in docker/metadata-action's inputs. No entry ever holds a
// newline, so none reaches a tag, a label or an annotation.
const ListGrammar = "one per line or repeated; blank lines and lines starting with # are ignored"

// Lines is a list with one entry per line.
type Lines []string

// UnmarshalText reads a variable's value by the list grammar.
func (l *Lines) UnmarshalText(text []byte) error {
	*l = parseList(string(text), false)
	return nil
}

// Tags is a list of tags, one per line or separated by commas.
type Tags []string

// UnmarshalText reads a variable's value by the list grammar, commas too.
func (t *Tags) UnmarshalText(text []byte) error {
	*t = parseList(string(text), true)
	return nil
}

// parseList splits one value by the list grammar.
func parseList(s string, commas bool) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !commas {
			out = append(out, line)
			continue
		}
		for _, part := range strings.Split(line, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
