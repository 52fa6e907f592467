package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shiptag/shiptag/internal/inputs"
)

func TestReadEnvironment(t *testing.T) {
	t.Parallel()
	epoch := time.Unix(1700000000, 0).UTC()
	tests := []struct {
		name     string
		environ  map[string]string
		want     Environment
		epochErr string // the variable CheckEpoch names, "" for none
		metaErr  string // the variable CheckMeta names
	}{
		{"nothing set", nil, Environment{MetaOutputEnv: true}, "", ""},
		{"DOCKER_METADATA_SET_OUTPUT_ENV=false", map[string]string{"DOCKER_METADATA_SET_OUTPUT_ENV": "false"}, Environment{}, "", ""},
		{"every variable", map[string]string{"DOCKER_HOST": "unix:///d.sock", "DOCKER_CONFIG": "/c", "HOME": "/h",
			"GIT_SSH_COMMAND": "ssh -i k", "GITHUB_API_URL": "https://ghe/api/v3", "AWS_ACCESS_KEY_ID": "AK",
			"AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "ST", "SOURCE_DATE_EPOCH": " 1700000000 ",
			"DOCKER_METADATA_PR_HEAD_SHA": "TRUE", "DOCKER_METADATA_SHORT_SHA_LENGTH": "12",
			"DOCKER_METADATA_ANNOTATIONS_LEVELS": "manifest,index"},
			Environment{DockerHost: "unix:///d.sock", DockerConfig: "/c", Home: "/h", GitSSHCommand: "ssh -i k",
				GitHubAPI: "https://ghe/api/v3", AWSAccessKeyID: "AK", AWSSecretAccessKey: "SK", AWSSessionToken: "ST",
				Epoch: &epoch, MetaPRHeadSHA: true, MetaShortSHALength: 12, MetaAnnotationLevels: []string{"manifest", "index"},
				MetaOutputEnv: true}, "", ""},
		{"a bad epoch fails only what reads it", map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, Environment{MetaOutputEnv: true},
			"SOURCE_DATE_EPOCH", "SOURCE_DATE_EPOCH"},
		{"a bad short SHA length fails the rules", map[string]string{"DOCKER_METADATA_SHORT_SHA_LENGTH": "seven"}, Environment{MetaOutputEnv: true},
			"", "DOCKER_METADATA_SHORT_SHA_LENGTH"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ReadEnvironment(tc.environ)
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(Environment{}), cmpopts.IgnoreFields(Environment{}, "MetaShortSHALength")); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
			if tc.metaErr == "" && got.MetaShortSHALength != tc.want.MetaShortSHALength {
				t.Errorf("short SHA length = %d, want %d", got.MetaShortSHALength, tc.want.MetaShortSHALength)
			}
			for check, want := range map[string]string{"CheckEpoch": tc.epochErr, "CheckMeta": tc.metaErr} {
				err := got.CheckEpoch()
				if check == "CheckMeta" {
					err = got.CheckMeta()
				}
				var ie *inputs.Error
				switch {
				case want == "" && err != nil:
					t.Errorf("%s: %v", check, err)
				case want != "" && (!errors.As(err, &ie) || ie.Input != want || !strings.Contains(err.Error(), `"`)):
					t.Errorf("%s = %v, want an error naming %s and quoting the value", check, err, want)
				}
			}
		})
	}
}
