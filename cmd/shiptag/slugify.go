package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/slug"
)

func slugifyCommand() command {
	return command{
		name:    "slugify",
		args:    "[--format strict|docker-tag] VALUE...",
		summary: "print the tag each value would get, one per line",
		about: "Slugify prints the tag that shiptag makes of each git value (tag, branch or commit), one per line,\n" +
			"as werf slugify does. strict (the default) keeps only [a-z0-9] words joined by single dashes and adds\n" +
			"a hash of the value whenever it had to change it; docker-tag keeps any valid docker tag.",
		run: runSlugify,
	}
}

func runSlugify(_ context.Context, e *runEnv, args []string) error {
	format := ""
	bind := func(fs *flag.FlagSet, cfg *config.Config) {
		fs.StringVar(&format, "format", cfg.Slug, "slug rule: strict or docker-tag (env "+config.Env("slug")+")")
	}
	fs, _, err := newFlagSet(slugifyCommand(), e, bind)
	if err != nil {
		return err
	}
	values, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	rule, err := slug.ParseRule(format)
	if err != nil {
		return &inputs.Error{Input: "--format (" + config.Env("slug") + ")", Err: err}
	}
	if len(values) == 0 {
		return usageError{errors.New("no value to slugify"), "Usage: shiptag slugify [--format strict|docker-tag] VALUE..."}
	}
	for _, v := range values {
		fmt.Fprintln(e.stdout, rule.Apply(v))
	}
	return nil
}
