package publish

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// TestPublishStagesWithProgress publishes images with their stages and a
// progress report, then fills the plan's digests from what was pushed.
func TestPublishStagesWithProgress(t *testing.T) {
	t.Parallel()
	for _, live := range []bool{false, true} {
		t.Run(map[bool]string{false: "log lines", true: "live"}[live], func(t *testing.T) {
			t.Parallel()
			host, _ := startRegistry(t)
			p := seedPlan(t, host+"/st", labels.Shared)
			images := seedImages(t)
			targets, err := Targets(p, images, Meta{Mode: labels.Shared}, noOpts)
			if err != nil {
				t.Fatal(err)
			}
			stages, err := StageTargets(&p, images, noOpts)
			if err != nil {
				t.Fatal(err)
			}
			if len(stages) != 7 { // 3 shared + 2 + 2
				t.Fatalf("%d stage targets, want 7", len(stages))
			}
			var log bytes.Buffer
			progress := NewProgress(&log, live, 0)
			all := append(targets, stages...)
			if err := Publish(context.Background(), all, Options{Jobs: 4, Progress: progress}); err != nil {
				t.Fatal(err)
			}
			progress.Done()
			progress.Done() // once only
			if got := log.String(); strings.Count(got, "shiptag: uploaded ") != 1 || !strings.Contains(got, "backend") {
				t.Errorf("progress:\n%s", got)
			}
			if err := FillDigests(&p, all); err != nil {
				t.Fatal(err)
			}
			for _, img := range p.Images {
				if img.Digest == "" || len(img.Stages) == 0 || img.Stages[len(img.Stages)-1].Digest == "" {
					t.Errorf("%s: digests not filled: %+v", img.Name, img)
				}
			}
			for _, s := range stages {
				if _, err := remote.Head(s.Ref); err != nil {
					t.Errorf("stage %s: %v", s.Ref, err)
				}
			}
			var again bytes.Buffer
			rerun := NewProgress(&again, live, 0)
			if err := Publish(context.Background(), all, Options{Jobs: 4, Progress: rerun}); err != nil {
				t.Fatal(err)
			}
			rerun.Done()
			if !strings.Contains(again.String(), "nothing to upload") {
				t.Errorf("rerun progress: %q", again.String())
			}
		})
	}
}

// TestPublishIndex writes a multi-platform index after its platform images.
func TestPublishIndex(t *testing.T) {
	t.Parallel()
	host, counter := startRegistry(t)
	backend, arm := twoPlatforms(t)
	idx, err := sample.Index(backend, arm)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewTag(host + "/multi:v1")
	if err := Publish(context.Background(), []Target{{Ref: ref, Artifact: source.Artifact{Index: idx}}}, Options{Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	got, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Digest(); d != mustDigest(t, idx) {
		t.Errorf("index digest %s", d)
	}
	if twice := counter.Snapshot().UploadedTwice(); len(twice) > 0 {
		t.Errorf("blobs uploaded more than once: %v", twice)
	}
}

func mustDigest(t *testing.T, a interface{ Digest() (v1.Hash, error) }) v1.Hash {
	t.Helper()
	d, err := a.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPublishFailures: a repository that cannot be reached is a RepoError
// before anything is written; a failed push check (the repository refuses
// to open an upload) stops the publish before anything else is sent.
func TestPublishFailures(t *testing.T) {
	t.Parallel()
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Cleanup(refuse.Close)
	images := seedImages(t)
	ref, _ := name.NewTag(strings.TrimPrefix(refuse.URL, "http://")+"/app:v1", name.Insecure)
	err := Publish(context.Background(), []Target{{Ref: ref, Artifact: images[0]}}, Options{Jobs: 1})
	var re *RepoError
	if !errors.As(err, &re) || re.Repo != ref.Context() || !strings.Contains(re.Error(), "checking "+ref.String()) || re.Unwrap() == nil {
		t.Errorf("unreachable repository: %v", err)
	}

	reads := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	var writes atomic.Int32 // other than opening uploads
	readOnly := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if r.Method != http.MethodPost {
				writes.Add(1)
			}
			w.WriteHeader(http.StatusForbidden)
			return
		}
		reads.ServeHTTP(w, r)
	}))
	t.Cleanup(readOnly.Close)
	ok, _ := name.NewTag(strings.TrimPrefix(readOnly.URL, "http://")+"/app:v1", name.Insecure)
	stop := errors.New("no push permission")
	err = Publish(context.Background(), []Target{{Ref: ok, Artifact: images[0]}}, Options{Jobs: 4,
		Explain: func(repo name.Repository, err error) error {
			if repo != ok.Context() || !strings.Contains(err.Error(), "403") {
				t.Errorf("Explain got %s: %v", repo, err)
			}
			return stop
		}})
	if err != stop || writes.Load() != 0 {
		t.Errorf("a failed check: %v (want it as it is), after %d writes beyond the check's", err, writes.Load())
	}
	if got := wrap("uploading blob", "sha256:1", "r/app", errors.New("x")).Error(); got != "uploading blob sha256:1 to r/app: x" {
		t.Errorf("wrap = %q", got)
	}
}

// twoPlatforms is the seed's backend image (linux/amd64) and an arm64
// image sharing its first layer.
func twoPlatforms(t *testing.T) (backend, arm v1.Image) {
	t.Helper()
	backend, _, err := sample.Seed(10_000)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := backend.Layers()
	if arm, err = sample.Image("linux/arm64", layers[0]); err != nil {
		t.Fatal(err)
	}
	return backend, arm
}
