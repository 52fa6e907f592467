package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/registrytest"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
	"github.com/shiptag/shiptag/internal/stages"
)

// Keys of the values a script's Setup leaves for its commands.
type (
	counterKey struct{} // *inprocess.Counter of the in-process registry
	serverKey  struct{} // *registrytest.Server, the real registry
	markKey    struct{} // *int64: the real registry's log offset at registry-mark
)

func harnessCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"envfile":         envFile,
		"sample-layouts":  sampleLayouts,
		"registry-mark":   registryMark,
		"registry-counts": registryCounts,
		"check-image":     checkImage,
		"fault-proxy":     faultProxy,
		"check-stages":    checkStages,
		"aws-standin":     awsStandin,
		"aws-log":         awsLog,
		"google-standin":  googleStandin,
		"google-log":      googleLog,
		"sign-image":      signImage,
		"check-referrers": checkReferrers,
		"check-manifest":  checkManifest,
	}
}

func startInProcessRegistry(env *testscript.Env) error {
	reg, err := inprocess.Start()
	if err != nil {
		return err
	}
	env.Defer(reg.Close)
	env.Setenv("REGISTRY", reg.Host)
	env.Values[counterKey{}] = reg.Counter
	return nil
}

// sampleLayouts writes the seed's images as OCI layouts: DIR/backend and
// DIR/frontend (five layers each, three shared, linux/amd64), DIR/arm64
// (backend's first layer and one of its own, linux/arm64) and DIR/multi
// (backend and arm64 in one index).
func sampleLayouts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sample-layouts DIR")
	}
	backend, frontend, err := sample.Seed(50_000)
	ts.Check(err)
	armLayer, err := sample.Layer(8, 58_000)
	ts.Check(err)
	shared, err := backend.Layers()
	ts.Check(err)
	arm, err := sample.Image("linux/arm64", shared[0], armLayer)
	ts.Check(err)
	multi, err := sample.Index(backend, arm)
	ts.Check(err)
	layouts := map[string]source.Artifact{"backend": {Image: backend}, "frontend": {Image: frontend}, "multi": {Index: multi}, "arm64": {Image: arm}}
	for dir, a := range layouts {
		ts.Check(sample.WriteLayout(ts.MkAbs(args[0]+"/"+dir), a))
	}
}

// registryMark starts counting requests from now.
func registryMark(ts *testscript.TestScript, neg bool, args []string) {
	if c, ok := ts.Value(counterKey{}).(*inprocess.Counter); ok {
		c.Reset()
		return
	}
	s := ts.Value(serverKey{}).(*registrytest.Server)
	off, err := s.LogOffset()
	ts.Check(err)
	*ts.Value(markKey{}).(*int64) = off
}

// registryCounts checks what the registry saw since registry-mark:
// "registry-counts [repo=PREFIX] uploads=N mounts=N manifests=N
// ['KIND=N']..." (each optional; a KIND is a request kind as inprocess.Kind
// names it, such as 'upload PUT'); every blob must have been uploaded at
// most once. On the real
// registry, which scripts share, only repositories under PREFIX count.
func registryCounts(ts *testscript.TestScript, neg bool, args []string) {
	prefix := ""
	if len(args) > 0 && strings.HasPrefix(args[0], "repo=") {
		prefix, args = strings.TrimPrefix(args[0], "repo="), args[1:]
	}
	var snap inprocess.Snapshot
	if c, ok := ts.Value(counterKey{}).(*inprocess.Counter); ok {
		snap = c.Snapshot()
	} else {
		var err error
		snap, err = ts.Value(serverKey{}).(*registrytest.Server).CountSince(*ts.Value(markKey{}).(*int64), prefix)
		ts.Check(err)
	}
	got := map[string]int{"uploads": snap.BlobUploads(), "mounts": snap.Mounts, "manifests": snap.Manifests}
	ts.Logf("registry saw: %d blob uploads, %d mounts, %d manifest writes, %d requests", got["uploads"], got["mounts"], got["manifests"], snap.Requests)
	if twice := snap.UploadedTwice(); len(twice) > 0 {
		ts.Fatalf("blobs uploaded more than once: %v", twice)
	}
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		want, err := strconv.Atoi(v)
		ts.Check(err)
		n, ok := got[k]
		if !ok { // a request kind, as inprocess.Kind names it: 'upload PUT=13'
			n = snap.Kinds[k]
		}
		if n != want {
			ts.Fatalf("%s = %d, want %d (requests by kind: %v)", k, n, want, snap.Kinds)
		}
	}
}

func remoteOpts(ts *testscript.TestScript) []remote.Option {
	s, ok := ts.Value(serverKey{}).(*registrytest.Server)
	if !ok {
		return nil
	}
	client, err := s.Client()
	ts.Check(err)
	return []remote.Option{remote.WithTransport(client.Transport), remote.WithAuth(&authn.Basic{Username: s.User, Password: s.Password})}
}

// checkImage reads REF back from the registry and checks it: "check-image
// REF [label:KEY=VALUE]... [nolabel:KEY]... [layers-of:LAYOUT] [platforms:N]".
// Labels are checked on every platform image; layers-of compares each
// platform's layer digests with the source layout's. With !, REF must not
// exist.
func checkImage(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: check-image REF [label:K=V]... [nolabel:K]... [annotation:K=V]... [index-annotation:K=V]... [layers-of:DIR] [platforms:N]")
	}
	ref, err := name.NewTag(args[0])
	ts.Check(err)
	desc, err := remote.Get(ref, remoteOpts(ts)...)
	if neg {
		if err == nil {
			ts.Fatalf("%s exists (%s), want it absent", ref, desc.Digest)
		}
		return
	}
	ts.Check(err)
	images := map[string]v1.Image{}
	var indexAnnotations map[string]string
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		ts.Check(err)
		im, err := idx.IndexManifest()
		ts.Check(err)
		indexAnnotations = im.Annotations
		for _, d := range im.Manifests {
			img, err := idx.Image(d.Digest)
			ts.Check(err)
			images[d.Platform.String()] = img
		}
	} else {
		img, err := desc.Image()
		ts.Check(err)
		images["linux/amd64"] = img
	}
	for _, a := range args[1:] {
		if k, v, ok := strings.Cut(strings.TrimPrefix(a, "index-annotation:"), "="); ok && strings.HasPrefix(a, "index-annotation:") {
			if got := indexAnnotations[k]; got != v {
				ts.Fatalf("%s: index annotation %s = %q, want %q", ref, k, got, v)
			}
			continue
		}
		checkImageArg(ts, ref.String(), images, a)
	}
}

func checkImageArg(ts *testscript.TestScript, ref string, images map[string]v1.Image, arg string) {
	kind, val, _ := strings.Cut(arg, ":")
	switch kind {
	case "platforms":
		if fmt.Sprint(len(images)) != val {
			ts.Fatalf("%s has %d platforms, want %s", ref, len(images), val)
		}
	case "label", "nolabel":
		k, v, _ := strings.Cut(val, "=")
		for p, img := range images {
			cf, err := img.ConfigFile()
			ts.Check(err)
			got, ok := cf.Config.Labels[k]
			if kind == "nolabel" && ok {
				ts.Fatalf("%s (%s) has label %s=%q", ref, p, k, got)
			}
			if kind == "label" && (!ok || got != v) {
				ts.Fatalf("%s (%s): label %s = %q, want %q", ref, p, k, got, v)
			}
		}
	case "annotation":
		k, v, _ := strings.Cut(val, "=")
		for p, img := range images {
			m, err := img.Manifest()
			ts.Check(err)
			if got := m.Annotations[k]; got != v {
				ts.Fatalf("%s (%s): manifest annotation %s = %q, want %q", ref, p, k, got, v)
			}
		}
	case "layers-of":
		a, err := source.Open(context.Background(), source.Source{Transport: source.OCI, Path: ts.MkAbs(val)}, source.Options{})
		ts.Check(err)
		want := platformLayers(ts, a)
		got := map[string][]string{}
		for p, img := range images {
			got[p] = layerDigests(ts, img)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			ts.Fatalf("%s layers differ from %s (-source +registry):\n%s", ref, val, diff)
		}
	default:
		ts.Fatalf("check-image: unknown check %q", arg)
	}
}

func platformLayers(ts *testscript.TestScript, a source.Artifact) map[string][]string {
	out := map[string][]string{}
	if a.Image != nil {
		out["linux/amd64"] = layerDigests(ts, a.Image)
		return out
	}
	im, err := a.Index.IndexManifest()
	ts.Check(err)
	for _, d := range im.Manifests {
		img, err := a.Index.Image(d.Digest)
		ts.Check(err)
		out[d.Platform.String()] = layerDigests(ts, img)
	}
	return out
}

func layerDigests(ts *testscript.TestScript, img v1.Image) []string {
	ls, err := img.Layers()
	ts.Check(err)
	var out []string
	for _, l := range ls {
		d, err := l.Digest()
		ts.Check(err)
		out = append(out, d.String())
	}
	return out
}

// checkStages pulls an image and checks that every one of its stages is in
// REPO: "check-stages IMAGE_REF REPO". Stage k must hold the image's first
// k layers, be labelled werf-image=false and werf-stage-signature, and be
// tagged image-stage-<signature of those layers>; the last one has every
// layer.
func checkStages(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: check-stages IMAGE_REF REPO")
	}
	ref, err := name.NewTag(args[0])
	ts.Check(err)
	img, err := remote.Image(ref, remoteOpts(ts)...)
	ts.Check(err)
	cf, err := img.ConfigFile()
	ts.Check(err)
	want := layerDigests(ts, img)
	for k := 1; k <= len(want); k++ {
		sig := stages.Signature(cf.RootFS.DiffIDs[:k])
		sref, err := name.NewTag(args[1] + ":" + stages.TagPrefix + sig)
		ts.Check(err)
		st, err := remote.Image(sref, remoteOpts(ts)...)
		if err != nil {
			ts.Fatalf("stage %d of %s: %v", k, ref, err)
		}
		if diff := cmp.Diff(want[:k], layerDigests(ts, st)); diff != "" {
			ts.Fatalf("stage %d of %s: layers are not the image's first %d (-want +got):\n%s", k, ref, k, diff)
		}
		scf, err := st.ConfigFile()
		ts.Check(err)
		if scf.Config.Labels["werf-image"] != "false" || scf.Config.Labels["werf-stage-signature"] != sig {
			ts.Fatalf("stage %d of %s: labels %v", k, ref, scf.Config.Labels)
		}
	}
}

// faultProxy starts a fault-injecting proxy in front of the real registry
// and sets $FAULTY to its address: "fault-proxy RATE SEED MAXFAULTS".
func faultProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: fault-proxy RATE SEED MAXFAULTS")
	}
	rate, err := strconv.ParseFloat(args[0], 64)
	ts.Check(err)
	seed, err := strconv.ParseUint(args[1], 10, 64)
	ts.Check(err)
	maxFaults, err := strconv.Atoi(args[2])
	ts.Check(err)
	p, err := registrytest.StartProxy(ts.Value(serverKey{}).(*registrytest.Server), registrytest.Faults{Rate: rate, Seed: seed, Max: maxFaults})
	ts.Check(err)
	ts.Defer(func() { ts.Logf("fault proxy injected %s", p.Faults()) })
	ts.Defer(p.Close)
	ts.Setenv("FAULTY", p.Host)
}
