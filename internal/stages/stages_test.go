package stages

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func layer(t *testing.T, seed uint64) v1.Layer {
	t.Helper()
	l, err := sample.Layer(seed, 500)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// withHistory gives img a history: empty entries around the layers.
func withHistory(t *testing.T, img v1.Image, h []v1.History) v1.Image {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.History = h
	cf.Config.Labels["werf-image"] = "true"
	cf.Config.Labels["werf-image-tag"] = "main"
	out, err := mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStages(t *testing.T) {
	t.Parallel()
	img, err := sample.Image("linux/amd64", layer(t, 1), layer(t, 2), layer(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	h := []v1.History{
		{CreatedBy: "FROM scratch", EmptyLayer: true},
		{CreatedBy: "ADD a"},
		{CreatedBy: "ENV X=1", EmptyLayer: true},
		{CreatedBy: "ADD b"},
		{CreatedBy: "WORKDIR /app", EmptyLayer: true},
		{CreatedBy: "ADD c"},
		{CreatedBy: "CMD run", EmptyLayer: true},
	}
	img = withHistory(t, img, h)
	stages, err := Of(img)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 3 {
		t.Fatalf("%d stages, want 3", len(stages))
	}
	diffIDs := func(i v1.Image) []v1.Hash {
		cf, _ := i.ConfigFile()
		return cf.RootFS.DiffIDs
	}
	all := diffIDs(img)
	wantHistory := [][]string{
		{"FROM scratch", "ADD a"},
		{"FROM scratch", "ADD a", "ENV X=1", "ADD b"},
		{"FROM scratch", "ADD a", "ENV X=1", "ADD b", "WORKDIR /app", "ADD c", "CMD run"},
	}
	for i, s := range stages {
		cf, err := s.Image.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all[:i+1], cf.RootFS.DiffIDs); diff != "" {
			t.Errorf("stage %d diffIDs (-want +got):\n%s", i+1, diff)
		}
		var got []string
		for _, e := range cf.History {
			got = append(got, e.CreatedBy)
		}
		if diff := cmp.Diff(wantHistory[i], got); diff != "" {
			t.Errorf("stage %d history (-want +got):\n%s", i+1, diff)
		}
		layers, _ := s.Image.Layers()
		if len(layers) != i+1 {
			t.Errorf("stage %d has %d layers", i+1, len(layers))
		}
		if s.Signature != Signature(all[:i+1]) || s.Tag() != "image-stage-"+s.Signature || len(s.Signature) != 64 {
			t.Errorf("stage %d signature %q", i+1, s.Signature)
		}
		want := map[string]string{"org.example.sample": "true", "werf-image": "false", "werf-stage-signature": s.Signature}
		if diff := cmp.Diff(want, cf.Config.Labels); diff != "" {
			t.Errorf("stage %d labels (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestSignature(t *testing.T) {
	t.Parallel()
	a, b := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}, v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("b", 64)}
	// sha256("sha256:aaa…\nsha256:bbb…"), computed independently with sha256sum.
	if got := Signature([]v1.Hash{a, b}); got != signatureAB {
		t.Errorf("Signature = %s, want %s", got, signatureAB)
	}
	// Same layers in two images: the same signatures, whatever else differs.
	shared := []v1.Layer{layer(t, 1), layer(t, 2)}
	one, _ := sample.Image("linux/amd64", append(shared, layer(t, 3))...)
	two, _ := sample.Image("linux/amd64", append(shared, layer(t, 4))...)
	two = withHistory(t, two, nil)
	s1, err := Of(one)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Of(two)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if s1[i].Signature != s2[i].Signature {
			t.Errorf("stage %d: signatures differ for the same layers", i+1)
		}
	}
	if s1[2].Signature == s2[2].Signature {
		t.Error("different third layers gave the same signature")
	}
}

func TestSingleLayer(t *testing.T) {
	t.Parallel()
	img, _ := sample.Image("linux/amd64", layer(t, 9))
	s, err := Of(img)
	if err != nil || len(s) != 1 {
		t.Fatalf("Of = %d stages, %v", len(s), err)
	}
	want, _ := img.Layers()
	got, _ := s[0].Image.Layers()
	wd, _ := want[0].Digest()
	gd, _ := got[0].Digest()
	if wd != gd {
		t.Errorf("the only stage's layer %s, want %s", gd, wd)
	}
	cf, _ := s[0].Image.ConfigFile()
	if !cf.Created.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("the stage lost the image's creation time: %s", cf.Created)
	}
}

const signatureAB = "4ab61be5d46a66e7f659b66144d4bead5b761c247b565fa202161590dcd9e45d"

func TestIndexStages(t *testing.T) {
	t.Parallel()
	shared := layer(t, 1)
	amd, _ := sample.Image("linux/amd64", shared, layer(t, 2))
	arm, _ := sample.Image("linux/arm64", shared, layer(t, 3))
	idx, err := sample.Index(amd, arm)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OfArtifact(source.Artifact{Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	// One stage for the shared first layer, one per platform for the second.
	if len(got) != 3 {
		t.Fatalf("%d stages, want 3", len(got))
	}
	amdStages, _ := Of(amd)
	armStages, _ := Of(arm)
	want := []string{amdStages[0].Signature, amdStages[1].Signature, armStages[1].Signature}
	var sigs []string
	for _, s := range got {
		sigs = append(sigs, s.Signature)
	}
	if diff := cmp.Diff(want, sigs); diff != "" {
		t.Errorf("signatures (-want +got):\n%s", diff)
	}
}
