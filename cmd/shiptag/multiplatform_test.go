package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// TestActMultiPlatform runs the README's GitHub multi-runner recipe under
// act: a matrix of two build jobs pushes each platform by digest and uploads
// the digest as an artifact to act's artifact server; the merge job downloads
// them and publishes one index, tagged. What the recipe needs from GitHub is
// stood in for, each in one replacement below: buildx by a prebuilt archive,
// ghcr.io and GITHUB_TOKEN by the TLS registry and its login, and the
// artifact actions by testdata/act/artifact-actions, built on the library
// they are made of.
func TestActMultiPlatform(t *testing.T) {
	actions := requireTool(t, "SHIPTAG_ARTIFACT_ACTIONS", "shiptag-artifact-actions", "bash scripts/artifact-actions DIR")
	w := newActWorld(t, "")
	// As on separate runners, each matrix job writes its own app.tar.
	w.runner, w.copyRepo = w.e.runnerImage("node"), true
	w.files[".github/workflows/multi-platform.yml"] = actRecipe(t, w)
	addPlatformArchives(t, w.files)
	w.flags = []string{"-P", "ubuntu-24.04=" + w.runner, "-P", "ubuntu-24.04-arm=" + w.runner,
		"--artifact-server-path", t.TempDir(), "--artifact-server-addr", "127.0.0.1", "--artifact-server-port", freeLoopbackPort(t),
		"--local-repository", "actions/upload-artifact@v7=" + filepath.Join(actions, "upload"),
		"--local-repository", "actions/download-artifact@v8=" + filepath.Join(actions, "download")}
	_, out := w.run(t, "push", "")

	ref, _ := name.NewTag(w.reg.Host + "/act/multi:rework-cache")
	client, err := w.reg.Client()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref, remote.WithTransport(client.Transport), remote.WithAuth(&authn.Basic{Username: w.reg.User, Password: w.reg.Password}))
	if err != nil {
		t.Fatalf("%s is no index: %v\nact's log:\n%s", ref, err, out)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, d := range im.Manifests {
		platforms = append(platforms, d.Platform.String())
	}
	// The index lists the platforms in the order the merge step names their
	// sources: here, the order of the artifacts' folders.
	slices.Sort(platforms)
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, platforms); diff != "" {
		t.Errorf("platforms of %s (-want +got):\n%s\nact's log:\n%s", ref, diff, out)
	}
}

// actRecipe returns the README's GitHub multi-runner workflow with what only
// GitHub has replaced for act; each replacement must match, so that the
// test follows the README's recipe as it changes.
func actRecipe(t *testing.T, w *actWorld) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(w.src, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var recipe string
	for _, block := range yamlBlocks(string(readme)) {
		if strings.Contains(block, "\njobs:") && strings.Contains(block, "push-by-digest: true") {
			recipe = block
		}
	}
	for _, r := range []struct {
		old, new string
		count    int
	}{
		{"docker buildx build --platform ${{ matrix.platform }} --output type=oci,dest=app.tar .",
			`cp "build/${{ matrix.platform }}.tar" app.tar`, 1},
		{"uses: shiptag/shiptag@v0.1.0\n        with:\n", "uses: ./\n" +
			"        env:\n          SSL_CERT_FILE: ${{ github.workspace }}/registry-ca.pem\n" +
			"        with:\n          repo: ${{ vars.REGISTRY }}/act/multi\n" +
			"          username: ${{ vars.REGISTRY_USER }}\n          password: ${{ secrets.REGISTRY_PASSWORD }}\n", 2},
		{"ghcr.io/${GITHUB_REPOSITORY,,}", "${{ vars.REGISTRY }}/act/multi", 1},
		// The action is this checkout's, so the merge job checks it out.
		{"  merge:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n",
			"  merge:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v6\n", 1},
	} {
		if n := strings.Count(recipe, r.old); n != r.count {
			t.Fatalf("the README's multi-runner recipe has %q %d times, want %d:\n%s", r.old, n, r.count, recipe)
		}
		recipe = strings.ReplaceAll(recipe, r.old, r.new)
	}
	return recipe
}

// platformImages are one image per platform, as two native runners'
// builds give them: the seed's backend for amd64, and for arm64 an image
// of its own layer. Keyed by architecture.
func platformImages(t *testing.T) map[string]source.Artifact {
	t.Helper()
	backend, _, err := sample.Seed(20_000)
	if err != nil {
		t.Fatal(err)
	}
	own, err := sample.Layer(99, 20_000)
	if err != nil {
		t.Fatal(err)
	}
	arm, err := sample.Image("linux/arm64", own)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]source.Artifact{"amd64": {Image: backend}, "arm64": {Image: arm}}
}

// addPlatformArchives writes platformImages, as buildx's oci exporter
// would, at build/linux/<arch>.tar among files.
func addPlatformArchives(t *testing.T, files map[string]string) {
	t.Helper()
	for arch, img := range platformImages(t) {
		dir, tarball := t.TempDir(), filepath.Join(t.TempDir(), arch+".tar")
		if err := sample.WriteLayout(dir, img); err != nil {
			t.Fatal(err)
		}
		if err := sample.WriteArchive(dir, tarball); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(tarball)
		if err != nil {
			t.Fatal(err)
		}
		files["build/linux/"+arch+".tar"] = string(data)
	}
}
