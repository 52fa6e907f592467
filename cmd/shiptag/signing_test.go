package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCosignSigningPath runs the README's signing path for real, offline:
// cosign (a key pair made here, no transparency log) signs what the outputs
// name and verifies it on Debian's registry. In shared mode that is the one
// digest output; in per-tag mode the README's jq pipeline over the json
// output, one signature per tag's digest.
func TestCosignSigningPath(t *testing.T) {
	cosign := requireTool(t, "SHIPTAG_COSIGN", "cosign", "go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.1")
	jq := requireTool(t, "", "jq", "apt-get install jq")
	w := newWorld(t)
	keys := t.TempDir()
	env := cosignEnv(t, w, keys)
	cosignRun(t, cosign, env, keys, "generate-key-pair")

	shared := w.mustRun(t, w.images, nil, "publish", "--repo", w.reg.Host+"/sign/shared", "--image", "=oci:backend",
		"--tag-custom", "v1", "--tag-custom", "stable", "--meta-labels", "shared", "--output", "json")
	var doc struct {
		Images []struct {
			Repository, Digest string
			Tags               []struct{ Ref, Digest string }
		}
	}
	if err := json.Unmarshal([]byte(shared.stdout), &doc); err != nil || len(doc.Images) != 1 {
		t.Fatalf("publish --output json: %v\n%s", err, shared.stdout)
	}
	img := doc.Images[0]
	for _, tag := range img.Tags {
		if tag.Digest != img.Digest {
			t.Errorf("shared mode: %s is %s, the image's digest is %s", tag.Ref, tag.Digest, img.Digest)
		}
	}
	signed := img.Repository + "@" + img.Digest
	cosignRun(t, cosign, env, keys, "sign", "--key", "cosign.key", "--tlog-upload=false", "--yes", signed)
	cosignRun(t, cosign, env, keys, "verify", "--key", "cosign.pub", "--insecure-ignore-tlog", signed)

	perTag := w.mustRun(t, w.images, nil, "publish", "--repo", w.reg.Host+"/sign/per-tag", "--image", "=oci:backend",
		"--tag-custom", "v1", "--tag-custom", "stable", "--output", "json")
	pipeline := exec.Command(jq, "-r", `.images[] | .repository as $repo | .tags[] | "\($repo)@\(.digest)"`)
	pipeline.Stdin = strings.NewReader(perTag.stdout)
	out, err := pipeline.Output()
	if err != nil {
		t.Fatalf("the README's jq pipeline: %v", err)
	}
	refs := slices.Compact(strings.Fields(string(out)))
	if len(refs) != 2 || refs[0] == refs[1] {
		t.Fatalf("per-tag mode gives %q, want two digests", refs)
	}
	for _, ref := range refs {
		cosignRun(t, cosign, env, keys, "sign", "--key", "cosign.key", "--tlog-upload=false", "--yes", ref)
		cosignRun(t, cosign, env, keys, "verify", "--key", "cosign.pub", "--insecure-ignore-tlog", ref)
	}
}

// cosignEnv gives cosign the test registry's CA and login (in a docker
// config of the test's own) and an empty key password, and nothing else.
func cosignEnv(t *testing.T, w *world, dir string) []string {
	t.Helper()
	config := filepath.Join(dir, "docker")
	auth := base64.StdEncoding.EncodeToString([]byte(w.reg.User + ":" + w.reg.Password))
	writeFile(t, filepath.Join(config, "config.json"), `{"auths":{"`+w.reg.Host+`":{"auth":"`+auth+`"}}}`)
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "DOCKER_CONFIG=" + config, "SSL_CERT_FILE=" + w.reg.CAFile,
		"COSIGN_PASSWORD=", "TUF_ROOT=" + filepath.Join(dir, "tuf"), "SIGSTORE_NO_CACHE=true"}
}

func cosignRun(t *testing.T, cosign string, env []string, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(cosign, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("cosign %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
}
