package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// scenario is one benchmark situation of the issue: which images, how many
// tags, and whether the work is already (partly) in the registry.
type scenario struct {
	name     string
	images   []string // names in the images; one nameless image when nameless
	nameless bool
	tags     int
	retag    bool // the source is already in the registry: tagged in another repository
	sameRepo bool // a retag in the source's own repository
	rerun    bool // every measured run repeats a first, unmeasured one
}

func scenarios() []scenario {
	return []scenario{
		{name: "seed", images: []string{"backend", "frontend"}, tags: 3},
		{name: "index", images: []string{"multi"}, nameless: true, tags: 3},
		{name: "retag", tags: 3, retag: true},
		{name: "tag", tags: 3, retag: true, sameRepo: true},
		{name: "rerun", images: []string{"backend", "frontend"}, tags: 3, rerun: true},
		{name: "scale", images: []string{"svc0", "svc1", "svc2", "svc3", "svc4"}, tags: 10},
	}
}

func tagNames(prefix string, n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return tags
}

// tool writes the command lines a user would script with it.
type tool struct {
	name    string
	publish func(e *environment, im *images, sc scenario, repo string, tags []string) [][]string
	// retag tags src in repo (another repository, or the source's own).
	retag func(e *environment, src, repo string, tags []string) [][]string
}

func toolsFor(dir string) []tool {
	shiptag, crane := filepath.Join(dir, "shiptag"), filepath.Join(dir, "crane")
	return []tool{
		shiptagTool("shiptag", shiptag),
		{name: "crane", publish: cranePublish(crane), retag: craneRetag(crane)},
		{name: "regctl", publish: regctlPublish, retag: regctlRetag},
		{name: "skopeo", publish: skopeoPublish, retag: skopeoRetag},
	}
}

// shiptagTool is the shiptag binary at bin as a tool named name (the name
// is also its repositories').
func shiptagTool(name, bin string) tool {
	return tool{name: name, publish: shiptagPublish(bin), retag: shiptagRetag(bin)}
}

// shiptag: one command for all images and tags; --meta-labels none so that
// every tool publishes the same bytes.
func shiptagPublish(bin string) func(*environment, *images, scenario, string, []string) [][]string {
	return func(_ *environment, im *images, sc scenario, repo string, tags []string) [][]string {
		cmd := []string{bin, "publish", "--repo", repo, "--tag-custom", strings.Join(tags, ","), "--meta-labels", "none", "--platform", "local"}
		for _, n := range sc.images {
			name := n
			if sc.nameless {
				name = ""
			}
			cmd = append(cmd, "--image", name+"=oci:"+im.layouts[n])
		}
		return [][]string{cmd}
	}
}

func shiptagRetag(bin string) func(*environment, string, string, []string) [][]string {
	return func(_ *environment, src, repo string, tags []string) [][]string {
		return [][]string{{bin, "publish", "--repo", repo, "--tag-custom", strings.Join(tags, ","),
			"--image", "=docker://" + src, "--meta-labels", "none", "--platform", "local"}}
	}
}

// repoOf is the repository of a tagged reference.
func repoOf(ref string) string { return ref[:strings.LastIndex(ref, ":")] }

// crane: push each image once, then crane tag for every other tag.
func cranePublish(bin string) func(*environment, *images, scenario, string, []string) [][]string {
	return func(_ *environment, im *images, sc scenario, repo string, tags []string) [][]string {
		var cmds [][]string
		for _, n := range sc.images {
			ref := repo + "/" + n
			push := []string{bin, "push", im.layouts[n], ref + ":" + tags[0]}
			if sc.nameless {
				ref = repo
				push = []string{bin, "push", "--index", im.layouts[n], ref + ":" + tags[0]}
			}
			cmds = append(cmds, push)
			for _, t := range tags[1:] {
				cmds = append(cmds, []string{bin, "tag", ref + ":" + tags[0], t})
			}
		}
		return cmds
	}
}

// crane: copy to another repository, tag in the source's own.
func craneRetag(bin string) func(*environment, string, string, []string) [][]string {
	return func(_ *environment, src, repo string, tags []string) [][]string {
		var cmds [][]string
		for _, t := range tags {
			if repo == repoOf(src) {
				cmds = append(cmds, []string{bin, "tag", src, t})
			} else {
				cmds = append(cmds, []string{bin, "copy", src, repo + ":" + t})
			}
		}
		return cmds
	}
}

// regctl: copy each image from its layout (by digest: the layouts name no
// tag) to the first tag, then copy that to every other tag, as crane tag.
func regctlPublish(e *environment, im *images, sc scenario, repo string, tags []string) [][]string {
	var cmds [][]string
	for _, n := range sc.images {
		ref := repo + "/" + n
		if sc.nameless {
			ref = repo
		}
		d, _ := im.artifacts[n].Digest()
		cmds = append(cmds, []string{e.regctl, "image", "copy", "ocidir://" + im.layouts[n] + "@" + d.String(), ref + ":" + tags[0]})
		for _, t := range tags[1:] {
			cmds = append(cmds, []string{e.regctl, "image", "copy", ref + ":" + tags[0], ref + ":" + t})
		}
	}
	return cmds
}

func regctlRetag(e *environment, src, repo string, tags []string) [][]string {
	var cmds [][]string
	for _, t := range tags {
		cmds = append(cmds, []string{e.regctl, "image", "copy", src, repo + ":" + t})
	}
	return cmds
}

// skopeo: one copy per reference.
func skopeoPublish(e *environment, im *images, sc scenario, repo string, tags []string) [][]string {
	var cmds [][]string
	for _, n := range sc.images {
		ref := repo + "/" + n
		if sc.nameless {
			ref = repo
		}
		for _, t := range tags {
			cmds = append(cmds, append(skopeoCopy(e, false), "--all", "oci:"+im.layouts[n], "docker://"+ref+":"+t))
		}
	}
	return cmds
}

func skopeoRetag(e *environment, src, repo string, tags []string) [][]string {
	var cmds [][]string
	for _, t := range tags {
		cmds = append(cmds, append(skopeoCopy(e, true), "docker://"+src, "docker://"+repo+":"+t))
	}
	return cmds
}

// skopeoCopy is skopeo copy with e's trust and, where e's registry has
// logins, its credentials.
func skopeoCopy(e *environment, fromRegistry bool) []string {
	cmd := []string{"skopeo", "copy", "--quiet", "--dest-cert-dir", e.certDir}
	if e.creds != "" {
		cmd = append(cmd, "--dest-creds", e.creds)
	}
	if fromRegistry {
		cmd = append(cmd, "--src-cert-dir", e.certDir)
		if e.creds != "" {
			cmd = append(cmd, "--src-creds", e.creds)
		}
	}
	return cmd
}
