package config

import (
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v10"

	"github.com/shiptag/shiptag/internal/inputs"
)

// Environment is every variable outside SHIPTAG_* that shiptag reads,
// but for the CI platform's own (package platform reads those): read once,
// in run, and handed down as typed values. A value that does not parse is
// kept as an error for the commands that use it, so a bad
// SOURCE_DATE_EPOCH fails publish and meta but not slugify.
type Environment struct {
	DockerHost string `env:"DOCKER_HOST"`
	// The docker CLI's other engine variables: TLS, GitLab's dind
	// certificates, the context.
	DockerTLSVerify  string `env:"DOCKER_TLS_VERIFY"`
	DockerCertPath   string `env:"DOCKER_CERT_PATH"`
	DockerTLSCertDir string `env:"DOCKER_TLS_CERTDIR"`
	DockerContext    string `env:"DOCKER_CONTEXT"`
	DockerConfig     string `env:"DOCKER_CONFIG"`
	Home             string `env:"HOME"`
	GitSSHCommand    string `env:"GIT_SSH_COMMAND"`
	// GitHubAPI is GITHUB_API_URL: GitHub Enterprise's API for ghcr cleanup.
	GitHubAPI          string `env:"GITHUB_API_URL"`
	AWSAccessKeyID     string `env:"AWS_ACCESS_KEY_ID"`
	AWSSecretAccessKey string `env:"AWS_SECRET_ACCESS_KEY"`
	AWSSessionToken    string `env:"AWS_SESSION_TOKEN"`
	// Epoch is SOURCE_DATE_EPOCH, the build's time for labels and
	// metadata-action's clock; nil when unset.
	Epoch *time.Time
	// MetaPRHeadSHA is DOCKER_METADATA_PR_HEAD_SHA=true: pull requests'
	// sha rules use the head commit.
	MetaPRHeadSHA bool
	// MetaShortSHALength is DOCKER_METADATA_SHORT_SHA_LENGTH; 0 when unset.
	MetaShortSHALength int
	// MetaAnnotationLevels is DOCKER_METADATA_ANNOTATIONS_LEVELS, split.
	MetaAnnotationLevels []string
	// MetaOutputEnv is false when DOCKER_METADATA_SET_OUTPUT_ENV says so:
	// meta then sets no DOCKER_METADATA_OUTPUT_* variables.
	MetaOutputEnv bool

	epochErr, shortSHAErr error
}

// rawEnvironment are the variables that need parsing, as written.
type rawEnvironment struct {
	Epoch            string `env:"SOURCE_DATE_EPOCH"`
	PRHeadSHA        string `env:"DOCKER_METADATA_PR_HEAD_SHA"`
	ShortSHALength   string `env:"DOCKER_METADATA_SHORT_SHA_LENGTH"`
	AnnotationLevels string `env:"DOCKER_METADATA_ANNOTATIONS_LEVELS"`
	SetOutputEnv     string `env:"DOCKER_METADATA_SET_OUTPUT_ENV"`
}

// ReadEnvironment reads the variables from environ.
func ReadEnvironment(environ map[string]string) Environment {
	var e Environment
	var raw rawEnvironment
	opts := env.Options{Environment: environ}
	if environ == nil {
		opts.Environment = map[string]string{} // env would fall back to the process environment
	}
	// Plain strings cannot fail to parse.
	_ = env.ParseWithOptions(&e, opts)
	_ = env.ParseWithOptions(&raw, opts)
	e.Epoch, e.epochErr = parseEpoch(raw.Epoch)
	e.MetaPRHeadSHA = strings.EqualFold(raw.PRHeadSHA, "true")
	// metadata-action: set unless the variable is there and not "true".
	e.MetaOutputEnv = raw.SetOutputEnv == "" || strings.Contains(strings.ToLower(raw.SetOutputEnv), "true")
	if raw.ShortSHALength != "" {
		e.MetaShortSHALength, e.shortSHAErr = strconv.Atoi(raw.ShortSHALength)
		if e.shortSHAErr != nil {
			e.shortSHAErr = inputs.Variablef("DOCKER_METADATA_SHORT_SHA_LENGTH", "%q is not a number", raw.ShortSHALength)
		}
	}
	if raw.AnnotationLevels != "" {
		e.MetaAnnotationLevels = strings.Split(raw.AnnotationLevels, ",")
	}
	return e
}

// parseEpoch reads SOURCE_DATE_EPOCH: whole seconds since 1970.
func parseEpoch(v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return nil, inputs.Variablef("SOURCE_DATE_EPOCH", "%q is not a number of seconds since 1970: %w", v, err)
	}
	t := time.Unix(secs, 0).UTC()
	return &t, nil
}

// CheckEpoch fails when SOURCE_DATE_EPOCH is set but not a time.
func (e Environment) CheckEpoch() error { return e.epochErr }

// CheckMeta fails when a DOCKER_METADATA_* variable metadata-action's
// rules read, or SOURCE_DATE_EPOCH (their clock), does not parse.
func (e Environment) CheckMeta() error {
	if e.shortSHAErr != nil {
		return e.shortSHAErr
	}
	return e.epochErr
}
