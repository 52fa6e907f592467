package slug

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWerfDockerTag holds werf's own TestDockerTag vectors (werf's
// pkg/slug/slug_test.go) and the non-ASCII cases where werf's table and
// gosimple/slug part ways; each result must also be a fixed point, as werf
// checks.
func TestWerfDockerTag(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		// werf's vectors.
		{"empty", "", ""},
		{"starts with a dash", "-data", "data-a871d86e"},
		{"unsupported character", "da/ta", "da-ta-afa96f8"},
		{"longer than 128", strings.Repeat("x", 129), strings.Repeat("x", 128-len("-8cca70eb")) + "-8cca70eb"},
		// werf's transliteration table.
		{"sharp s is b", "ß", "b-14147826"},
		{"sharp s inside a branch", "feature/Straße", "feature-strabe-4bbd2b70"},
		{"cyrillic tse is c", "ц", "c-61fabe93"},
		{"cyrillic ye", "ветка", "vyetka-1fdecee0"},
		{"cyrillic signs are dropped", "Ъ", "ba75ddc4"},
		{"greek is dropped", "Ω", "4f323f71"},
		{"greek inside a branch", "bug/Ωmega", "bug-mega-3ee2faf4"},
		{"euro sign is dropped", "€", "5b43fca5"},
		{"cjk is dropped", "中文", "db267197"},
		{"trade mark sign", "™", "tm-5955092f"},
		{"kelvin and angstrom signs", "\u212a\u212b", "ka-3cd2b3c2"},
		{"parenthesized numbers", "⒓⒛", "1220-bd98ec11"},
		{"fullwidth low line separates", "ａ＿ｚ", "a-z-c5487aa"},
		{"circled and parenthesized letters", "Ⓐⓩ⒜", "aza-330395e6"},
		{"micro sign", "ÆON/µ", "aeon-u-83912526"},
		{"emoji is dropped", "a😀b", "ab-ba4460fc"},
		{"invalid utf-8 is dropped", "x\xffy", "xy-fb0d8eba"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := DockerTag.Apply(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DockerTag(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
			if again := DockerTag.Apply(got); again != got {
				t.Errorf("DockerTag(%q) = %q is not a fixed point: slugs again to %q", tc.in, got, again)
			}
		})
	}
}

// TestWerfTable checks the rebuilt table's shape: no code point in two groups
// (a later group would silently win), no ASCII (Slugify's rows), and only
// text a tag can hold.
func TestWerfTable(t *testing.T) {
	t.Parallel()
	seen := map[rune]string{}
	valid := regexp.MustCompile(`^([a-z0-9]*|-)$`)
	for _, g := range werfGroups {
		if !valid.MatchString(g.to) {
			t.Errorf("group %q maps to %q, which is neither lowercase ASCII nor a dash", g.from, g.to)
		}
		for _, r := range g.from {
			if r < 0x80 {
				t.Errorf("group %q holds ASCII %q", g.from, r)
			}
			if before, ok := seen[r]; ok {
				t.Errorf("%q is in the groups for %q and %q", r, before, g.to)
			}
			seen[r] = g.to
		}
	}
	// 748 grouped code points, 130 letters of the five alphabets, 11 numbers.
	if got, want := len(werfTable), 748+130+11; got != want {
		t.Errorf("the table holds %d code points, want %d", got, want)
	}
}
