package spelling

import "testing"

func TestClosest(t *testing.T) {
	t.Parallel()
	flags := []string{"tag-custom", "tag-git-tag", "tags", "repo", "image", "images"}
	tests := []struct {
		name, word, want string
		ok               bool
	}{
		{"a letter added", "tags-custom", "tag-custom", true},
		{"neighbours swapped", "tga-custom", "tag-custom", true},
		{"exact", "repo", "repo", true},
		{"short words allow one edit", "rep", "repo", true},
		{"short words do not allow two", "rp", "repo", false},
		{"nothing near", "platformz-x", "", false},
		{"ties go to the first", "imag", "image", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Closest(tc.word, flags)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("Closest(%q) = %q, %v; want %q, %v", tc.word, got, ok, tc.want, tc.ok)
			}
		})
	}
	if d := distance("kitten", "sitting"); d != 3 {
		t.Errorf("distance(kitten, sitting) = %d", d)
	}
}
