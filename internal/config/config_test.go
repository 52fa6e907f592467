package config

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/inputs"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	want := Config{RepoMode: "auto", RegistryImplementation: "auto", TaggingStrategy: "none", Slug: "strict", Platform: "auto", Output: "text",
		MetaLabels: "per-tag", AddLabelSeparator: "\n", MetaSepTags: "\n", MetaSepLabels: "\n", MetaSepAnnotations: "\n",
		GitDir: ".", GitTagLimit: 10, GitTagExpiryDays: 30, GitCommitLimit: 50, GitCommitExpiryDays: 30, Timeout: Duration(time.Minute),
		Referrers: true}
	if diff := cmp.Diff(want, Defaults()); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
}

// TestEmptyVariablesAreDefaults: a GitHub Action sets every input's
// variable, empty when the user gave nothing; that must mean the default.
func TestEmptyVariablesAreDefaults(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	for _, f := range fields {
		env[f.env()] = ""
	}
	c, err := FromEnv(env)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Defaults(), c); diff != "" {
		t.Errorf("empty variables differ from defaults (-want +got):\n%s", diff)
	}
}

func TestFromEnvAndFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SHIPTAG_REPO":       "registry.example.com/app",
		"SHIPTAG_IMAGES":     "backend=oci:./b\n\n  frontend=oci:./f  \n",
		"SHIPTAG_TAG_CUSTOM": "a,b\nc",
		"SHIPTAG_SLUG":       "docker-tag",
		"OTHER":              "ignored",
	}
	tests := []struct {
		name string
		args []string
		edit func(*Config)
	}{
		{"variables only", nil, func(*Config) {}},
		{"a flag wins over its variable", []string{"--repo", "other.example.com/x", "--slug=strict"},
			func(c *Config) { c.Repo, c.Slug = "other.example.com/x", "strict" }},
		{"a list flag replaces the variable's list, then appends", []string{"--tag-custom", "x", "--tag-custom", "y,z"},
			func(c *Config) { c.TagCustom = Tags{"x", "y", "z"} }},
		{"image flags keep commas; blank entries go, as in the variable", []string{"--image", "", "--image", "a=oci:x,y"},
			func(c *Config) { c.Images = Lines{"a=oci:x,y"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := FromEnv(env)
			if err != nil {
				t.Fatal(err)
			}
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			Bind(fs, &c, Plan)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			want := Defaults()
			want.Repo, want.Slug = "registry.example.com/app", "docker-tag"
			want.Images = Lines{"backend=oci:./b", "frontend=oci:./f"}
			want.TagCustom = Tags{"a", "b", "c"}
			tc.edit(&want)
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFieldsMatchStruct keeps the flag table and the struct's env tags in
// step: every setting has exactly one flag and one variable.
func TestFieldsMatchStruct(t *testing.T) {
	t.Parallel()
	var tags []string
	ct := reflect.TypeOf(Config{})
	for i := 0; i < ct.NumField(); i++ {
		tags = append(tags, ct.Field(i).Tag.Get("env"))
	}
	var table []string
	var c Config
	seen := map[uintptr]string{}
	for _, f := range fields {
		table = append(table, strings.TrimPrefix(f.env(), EnvPrefix))
		p := reflect.ValueOf(f.ptr(&c)).Pointer()
		if other, dup := seen[p]; dup {
			t.Errorf("flags --%s and --%s write the same field", other, f.flag)
		}
		seen[p] = f.flag
		if f.usage == "" {
			t.Errorf("--%s has no help text", f.flag)
		}
	}
	if diff := cmp.Diff(tags, table); diff != "" {
		t.Errorf("fields table and Config env tags differ (-struct +table):\n%s", diff)
	}
	// Each flag must write the field whose env tag it claims.
	for _, f := range fields {
		p := reflect.ValueOf(f.ptr(&c)).Pointer()
		cv := reflect.ValueOf(&c).Elem()
		for i := 0; i < ct.NumField(); i++ {
			if cv.Field(i).Addr().Pointer() == p && EnvPrefix+ct.Field(i).Tag.Get("env") != f.env() {
				t.Errorf("--%s claims %s but writes %s", f.flag, f.env(), ct.Field(i).Tag.Get("env"))
			}
		}
	}
}

// TestVariablesMatchInputs: package inputs names exactly the flags of the
// settings table, so every error names a setting the user can find.
func TestVariablesMatchInputs(t *testing.T) {
	t.Parallel()
	want := inputs.Flags()
	got := map[string]string{}
	for _, f := range fields {
		if f.flag != "" {
			got[f.flag] = strings.TrimPrefix(f.env(), EnvPrefix)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inputs' variables and the settings table differ (-inputs +table):\n%s", diff)
	}
	if Env("repo") != "SHIPTAG_REPO" || Env("nope") != "" {
		t.Errorf("Env gave %q, %q", Env("repo"), Env("nope"))
	}
}

// TestListGrammar: every list setting reads the same entries whether they
// come as one flag value with several lines, as the flag repeated, or as its
// variable (which is what an Action or component input becomes). No entry
// keeps a newline, a comment or surrounding space.
func TestListGrammar(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value    string
		want, wantTags []string // Lines; Tags (commas separate too)
	}{
		{"lines", "a=1\nb=2", []string{"a=1", "b=2"}, []string{"a=1", "b=2"}},
		{"CRLF, spaces and blank lines", "  a=1\r\n\n\t b=2 \r\n", []string{"a=1", "b=2"}, []string{"a=1", "b=2"}},
		{"comments", "# the first\na=1\n  # indented\nb=2 # not a comment", []string{"a=1", "b=2 # not a comment"},
			[]string{"a=1", "b=2 # not a comment"}},
		{"commas", "type=raw,value=a\ntype=raw,value=b", []string{"type=raw,value=a", "type=raw,value=b"},
			[]string{"type=raw", "value=a", "type=raw", "value=b"}},
		{"only blanks", "\n \n", nil, nil},
	} {
		for _, f := range fields {
			var c Config
			switch f.ptr(&c).(type) {
			case *Lines, *Tags:
			default:
				continue
			}
			t.Run(tc.name+"/"+f.env(), func(t *testing.T) {
				t.Parallel()
				want := tc.want
				if _, ok := f.ptr(&c).(*Tags); ok {
					want = tc.wantTags
				}
				fromEnv, err := FromEnv(map[string]string{f.env(): tc.value})
				if err != nil {
					t.Fatal(err)
				}
				ways := map[string][]string{"variable": listOf(f.ptr(&fromEnv))}
				if f.flag != "" {
					ways["one flag value"] = parseFlag(t, f.flag, tc.value)
					var repeated []string
					for _, line := range strings.Split(tc.value, "\n") {
						repeated = append(repeated, "--"+f.flag, line)
					}
					ways["repeated flag"] = parseFlag(t, f.flag, repeated...)
				}
				for way, got := range ways {
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: entries (-want +got):\n%s", way, diff)
					}
				}
			})
		}
	}
}

// parseFlag parses args (or one "--flag value") with every command's flags.
func parseFlag(t *testing.T, name string, args ...string) []string {
	t.Helper()
	if len(args) == 1 {
		args = []string{"--" + name, args[0]}
	}
	c := Defaults()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, f := range fields {
		if f.flag == name {
			Bind(fs, &c, f.commands&-f.commands) // the first command that takes it
		}
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if f.flag == name {
			return listOf(f.ptr(&c))
		}
	}
	return nil
}

func listOf(p any) []string {
	switch v := p.(type) {
	case *Lines:
		return []string(*v)
	case *Tags:
		return []string(*v)
	}
	return nil
}

// TestDuration: a wait reads as people write it, from a flag or a variable.
func TestDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"90": 90 * time.Second, " 2m ": 2 * time.Minute, "1m30s": 90 * time.Second,
		"1500ms": 1500 * time.Millisecond} {
		c, err := FromEnv(map[string]string{"SHIPTAG_TIMEOUT": in})
		if err != nil || time.Duration(c.Timeout) != want {
			t.Errorf("SHIPTAG_TIMEOUT=%q: %v, %v; want %v", in, time.Duration(c.Timeout), err, want)
		}
		var d Duration
		if err := d.Set(in); err != nil || time.Duration(d) != want {
			t.Errorf("--timeout %q: %v, %v; want %v", in, time.Duration(d), err, want)
		}
	}
	_, err := FromEnv(map[string]string{"SHIPTAG_TIMEOUT": "soon"})
	var ie *inputs.Error
	if !errors.As(err, &ie) || ie.Input != "SHIPTAG_TIMEOUT" || !strings.Contains(err.Error(), `"soon"`) {
		t.Errorf("a bad SHIPTAG_TIMEOUT gave %v", err)
	}
	if got := Duration(time.Minute).String(); got != "60s" {
		t.Errorf("String() = %q", got)
	}
}
