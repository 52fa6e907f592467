package main

import (
	"context"
	"flag"
	"strings"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/export"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/plan"
)

func exportCommand() command {
	return command{
		name:    "export",
		args:    "--image NAME=SOURCE... --tag TEMPLATE... [flags]",
		summary: "copy images to references of your choosing, without shiptag's labels",
		about: "Export copies images to the references its --tag templates give, like werf export: every label\n" +
			"whose key starts with werf is removed, then --add-label pairs are added, so no cleanup ever takes an\n" +
			"exported image for a published one. Templates use %image% (the name), %image_slug%, %image_safe_slug%\n" +
			"(hashed when the slug changed the name) and %image_content_based_tag% (the first 32 hex digits of the\n" +
			"exported manifest's SHA-256). With several images every template must name the image. Sources,\n" +
			"credentials, the one-pass upload and the outputs are those of publish.",
		run: runExport,
	}
}

func runExport(ctx context.Context, e *runEnv, args []string) error {
	passwordStdin := false
	bind := func(fs *flag.FlagSet, cfg *config.Config) {
		config.Bind(fs, cfg, config.Export)
		bindPasswordStdin(fs, &passwordStdin)
	}
	cfg, err := parseFlagsOnly(exportCommand(), e, args, bind)
	if err != nil {
		return err
	}
	pf, err := openPlatform(ctx, e, *cfg, false)
	if err == nil {
		err = checkOutputFormat(cfg.Output)
	}
	if err != nil {
		return err
	}
	images, templates, user, err := exportInputs(cfg)
	if err != nil {
		return err
	}
	job, err := newPushJob(ctx, e, cfg, pf, passwordStdin, templateHosts(templates))
	if err != nil {
		return err
	}
	defer job.close()
	artifacts, err := job.openSources(ctx, images)
	if err != nil {
		return err
	}
	ex := make([]export.Image, len(images))
	for i, img := range images {
		ex[i] = export.Image{Name: img.Name, Sources: img.Sources, Artifact: artifacts[i]}
	}
	targets, p, err := export.Targets(ex, templates, user, job.access.NameOptions)
	if err != nil {
		return err
	}
	if cfg.Referrers {
		job.afterPush = referrersAfterPush(ctx, job, p, artifacts, targets,
			"export an image without werf labels, with no --add-label, to carry them, or sign what was exported")
	}
	return job.pushAndReport(ctx, p, targets, "shiptag export")
}

// exportInputs checks export's own inputs: images with sources, templates,
// and the label pairs (several to a value, split by --add-label-separator).
func exportInputs(cfg *config.Config) ([]plan.Image, []export.Template, []labels.Pair, error) {
	if len(cfg.Images) == 0 {
		return nil, nil, nil, inputs.Errorf("image", "nothing to export: pass --image NAME=SOURCE")
	}
	images, err := plan.ParseImages(cfg.Images)
	if err == nil {
		err = requireSources(images)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var templates []export.Template
	for _, raw := range cfg.ExportTag {
		t, err := export.ParseTemplate(raw)
		if err != nil {
			return nil, nil, nil, inputs.Flag("tag", err)
		}
		templates = append(templates, t)
	}
	if err := export.CheckTemplates(templates, len(images)); err != nil {
		return nil, nil, nil, err
	}
	var entries []string
	for _, v := range cfg.AddLabel {
		entries = append(entries, strings.Split(v, cfg.AddLabelSeparator)...)
	}
	user, err := labels.ParsePairs(nonEmpty(entries))
	if err != nil {
		return nil, nil, nil, inputs.Flag("add-label", err)
	}
	return images, templates, user, nil
}

// templateHosts are the registries the templates name, for --username.
func templateHosts(templates []export.Template) []string {
	var hosts []string
	for _, t := range templates {
		host, _, _ := strings.Cut(t.Raw, "/")
		hosts = append(hosts, host)
	}
	return hosts
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
