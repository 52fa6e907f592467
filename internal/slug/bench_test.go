package slug

import "testing"

// BenchmarkRules slugs every spec vector with both rules per iteration.
func BenchmarkRules(b *testing.B) {
	vectors := specVectors(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range vectors {
			Strict.Apply(v.Input)
			DockerTag.Apply(v.Input)
		}
	}
}

// BenchmarkTransliteration slugs a branch name with non-ASCII words.
func BenchmarkTransliteration(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Strict.Apply("feature/über-straße/中文")
	}
}
