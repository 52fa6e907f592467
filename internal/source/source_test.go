package source_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/shiptag/shiptag/internal/engine"
	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want source.Source
	}{
		{"oci:./build/backend", source.Source{Transport: source.OCI, Path: "./build/backend"}},
		{"oci:/l:app", source.Source{Transport: source.OCI, Path: "/l", Ref: "app"}},
		{"oci-archive:out.tar", source.Source{Transport: source.OCIArchive, Path: "out.tar"}},
		{"docker-archive:save.tar:app:1.0", source.Source{Transport: source.DockerArchive, Path: "save.tar", Ref: "app:1.0"}},
		{"docker-daemon:app:1.0", source.Source{Transport: source.DockerDaemon, Path: "app:1.0"}},
		{"docker://ghcr.io/o/app:1", source.Source{Transport: source.Registry, Path: "ghcr.io/o/app:1"}},
		{"ghcr.io/o/app:1", source.Source{Transport: source.Registry, Path: "ghcr.io/o/app:1"}},
		{"localhost:5000/app", source.Source{Transport: source.Registry, Path: "localhost:5000/app"}},
		{"nginx", source.Source{Transport: source.Registry, Path: "nginx"}},
		{"alpine:3.20", source.Source{Transport: source.Registry, Path: "alpine:3.20"}},
		{"docker:27-cli", source.Source{Transport: source.Registry, Path: "docker:27-cli"}},
		{"team/app:v1", source.Source{Transport: source.Registry, Path: "team/app:v1"}},
	}
	for _, tc := range tests {
		got, err := source.Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
	for in, msg := range map[string]string{
		"":                   "no source",
		"oci:":               "names no path",
		"docker-daemon:":     "names no image",
		"containers-store:x": `unknown transport "containers-store"`,
		"oci-archiv:out.tar": `did you mean oci-archive:?`,
		"docker-deamon:app":  `did you mean docker-daemon:?`,
		"dir:./build":        `a transport shiptag does not read, "dir"`,
		"../build/app":       `write oci:../build/app for an OCI layout directory`,
		"./app":              "a local path without a transport",
		"/abs/app.tar":       "oci-archive:/abs/app.tar / docker-archive:/abs/app.tar",
		"Alpine:3.20":        "no image reference either",
	} {
		if _, err := source.Parse(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Parse(%q) error = %v, want one containing %q", in, err, msg)
		}
	}
}

func testImage(t *testing.T, seed uint64) v1.Image {
	t.Helper()
	l, err := sample.Layer(seed, 2000)
	if err != nil {
		t.Fatal(err)
	}
	img, err := sample.Image("linux/amd64", l)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func open(t *testing.T, s string, o source.Options) (source.Artifact, error) {
	t.Helper()
	src, err := source.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if o.TempDir == "" {
		o.TempDir = t.TempDir()
	}
	return source.Open(context.Background(), src, o)
}

func sameDigest(t *testing.T, a source.Artifact, want v1.Hash) {
	t.Helper()
	got, err := a.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
}

func TestLayouts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	one, two := testImage(t, 1), testImage(t, 2)
	d1, _ := one.Digest()
	d2, _ := two.Digest()
	single := filepath.Join(dir, "single")
	if err := sample.WriteLayout(single, source.Artifact{Image: one}); err != nil {
		t.Fatal(err)
	}
	a, err := open(t, "oci:"+single, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameDigest(t, a, d1)

	multi := filepath.Join(dir, "multi")
	p, err := layout.Write(multi, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		img v1.Image
		ref string
	}{{one, "one"}, {two, "two"}} {
		if err := p.AppendImage(x.img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": x.ref})); err != nil {
			t.Fatal(err)
		}
	}
	a, err = open(t, "oci:"+multi+":two", source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameDigest(t, a, d2)
	if _, err := open(t, "oci:"+multi, source.Options{}); err == nil || !strings.Contains(err.Error(), `holds 2 images ("one", "two"): name one as oci:`) {
		t.Errorf("ambiguous layout: %v", err)
	}
	if _, err := open(t, "oci:"+multi+":three", source.Options{}); err == nil || !strings.Contains(err.Error(), `no image named "three"`) {
		t.Errorf("missing ref: %v", err)
	}

	// The same layout as an OCI archive.
	archive := filepath.Join(dir, "multi.tar")
	tarDir(t, multi, archive)
	a, err = open(t, "oci-archive:"+archive+":one", source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameDigest(t, a, d1)
}

func tarDir(t *testing.T, dir, file string) {
	t.Helper()
	if err := sample.WriteArchive(dir, file); err != nil {
		t.Fatal(err)
	}
}

func TestDockerArchive(t *testing.T) {
	t.Parallel()
	img := testImage(t, 3)
	file := filepath.Join(t.TempDir(), "save.tar")
	tag, _ := name.NewTag("app:1.0")
	if err := tarball.WriteToFile(file, tag, img); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"docker-archive:" + file, "docker-archive:" + file + ":app:1.0"} {
		a, err := open(t, s, source.Options{})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		// docker save keeps layers, not the manifest: compare layers.
		want, _ := img.Layers()
		got, _ := a.Image.Layers()
		wd, _ := want[0].DiffID()
		gd, _ := got[0].DiffID()
		if wd != gd {
			t.Errorf("%s: layer diffID %s, want %s", s, gd, wd)
		}
	}
}

// TestDockerDaemon serves the Engine API's image export on a unix socket,
// as the Docker Engine does, and reads an image through it.
func TestDockerDaemon(t *testing.T) {
	t.Parallel()
	img := testImage(t, 4)
	dir := t.TempDir()
	saved := filepath.Join(dir, "save.tar")
	tag, _ := name.NewTag("app:1.0")
	if err := tarball.WriteToFile(saved, tag, img); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "docker.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var asked []string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.43")
		if r.URL.Path == "/_ping" {
			_, _ = w.Write([]byte("OK"))
			return
		}
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		if r.URL.Path != "/v1.43/images/get" || r.URL.Query().Get("names") != "app:1.0" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"No such image: ` + r.URL.Query().Get("names") + `"}`))
			return
		}
		f, _ := os.Open(saved)
		defer f.Close()
		io.Copy(w, f)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	o := source.Options{Engine: engine.Options{Host: "unix://" + socket}}
	a, err := open(t, "docker-daemon:app:1.0", o)
	if err != nil {
		t.Fatal(err)
	}
	if a.Image == nil {
		t.Fatal("no image")
	}
	_, err = open(t, "docker-daemon:missing", o)
	if err == nil || !strings.Contains(err.Error(), "No such image: missing:latest") || !strings.Contains(err.Error(), "DOCKER_HOST unix://") {
		t.Errorf("missing image: %v", err)
	}
	mu.Lock()
	if diff := cmp.Diff([]string{"GET /v1.43/images/get?names=app%3A1.0", "GET /v1.43/images/get?names=missing%3Alatest"}, asked); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	mu.Unlock()
	_, err = open(t, "docker-daemon:app", source.Options{Engine: engine.Options{Host: "unix://" + filepath.Join(dir, "none.sock")}})
	if err == nil || !strings.Contains(err.Error(), "DOCKER_HOST") {
		t.Errorf("no engine: %v", err)
	}
}

func TestRegistrySource(t *testing.T) {
	t.Parallel()
	reg, err := inprocess.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	host := reg.Host
	img := testImage(t, 5)
	idx, err := sample.Index(img, testImage(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewTag(host + "/src/app:1")
	iref, _ := name.NewTag(host + "/src/app:multi")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(iref, idx); err != nil {
		t.Fatal(err)
	}
	var warmed []string // the config is read over a connection dialled during the manifest's read
	o := source.Options{Keychain: authn.NewMultiKeychain(), Warm: func(h string, n int) { warmed = append(warmed, fmt.Sprint(h, " ", n)) }}
	a, err := open(t, "docker://"+ref.String(), o)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	sameDigest(t, a, d)
	if diff := cmp.Diff([]string{host + " 1"}, warmed); diff != "" {
		t.Errorf("connections dialled ahead (-want +got):\n%s", diff)
	}
	a, err = open(t, iref.String(), o)
	if err != nil {
		t.Fatal(err)
	}
	if a.Index == nil {
		t.Fatal("a multi-platform source did not open as an index")
	}
	di, _ := idx.Digest()
	sameDigest(t, a, di)
	// Its platform images were read when it was opened: walking them again,
	// as a publish does several times, asks the registry nothing.
	reg.Counter.Reset()
	for range 2 {
		if err := source.EachImage(a, func(_ v1.Descriptor, img v1.Image) error {
			_, err := img.ConfigFile()
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reg.Counter.Snapshot().Requests; n != 0 {
		t.Errorf("walking the index's images again made %d requests, want none", n)
	}
}

// TestOCIArchiveInPlace opens OCI layout archives as tools write them (GNU
// tar's ./ names, PAX headers, an index inside the index) in place: the same digests
// as the directory, every blob readable and checked, nothing written to
// the temporary directory. A compressed archive is refused with the fix.
func TestOCIArchiveInPlace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inner := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: testImage(t, 4)}, mutate.IndexAddendum{Add: testImage(t, 5)})
	outer := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: inner})
	want, _ := inner.Digest()
	lay := filepath.Join(dir, "layout")
	if _, err := layout.Write(lay, outer); err != nil {
		t.Fatal(err)
	}
	gnu, pax, goTar := filepath.Join(dir, "gnu.tar"), filepath.Join(dir, "pax.tar"), filepath.Join(dir, "go.tar")
	for file, args := range map[string][]string{gnu: {"-cf", gnu}, pax: {"--format=pax", "-cf", pax}} {
		if out, err := exec.Command("tar", append(args, "-C", lay, ".")...).CombinedOutput(); err != nil {
			t.Fatalf("tar %s: %v\n%s", file, err, out)
		}
	}
	tarDir(t, lay, goTar)
	for _, archive := range []string{gnu, pax, goTar} {
		tmp := t.TempDir()
		a, err := open(t, "oci-archive:"+archive, source.Options{TempDir: tmp})
		if err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		got, _ := a.Index.Digest()
		if got != want {
			t.Errorf("%s: index digest %s, want %s", archive, got, want)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("%s: opening wrote %d entries to the temporary directory", archive, len(left))
		}
	}
	gz := filepath.Join(dir, "layout.tar.gz")
	if out, err := exec.Command("tar", "-czf", gz, "-C", lay, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	if _, err := open(t, "oci-archive:"+gz, source.Options{}); err == nil || !strings.Contains(err.Error(), "uncompressed") {
		t.Errorf("a gzipped archive: %v, want the error to ask for an uncompressed tar", err)
	}
}
