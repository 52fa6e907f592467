package config

import (
	"fmt"
	"strings"
)

// Setting describes one user setting for the places outside the binary that
// expose it: the GitHub Action's inputs, the GitLab component's inputs and
// the README's table. Tests check each of them against Settings.
type Setting struct {
	Flag     string // "" for a variable-only setting (the password)
	Env      string // SHIPTAG_…
	Input    string // the Action and component input: kebab-case of the variable
	Default  string // the built-in default, as text
	Usage    string
	Commands []string // plan, publish, export: the commands that use it
}

// Settings lists every setting in help order.
func Settings() []Setting {
	defaults := Defaults()
	var out []Setting
	for _, f := range fields {
		out = append(out, Setting{
			Flag:     f.flag,
			Env:      f.env(),
			Input:    strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(f.env(), EnvPrefix), "_", "-")),
			Default:  valueText(f.ptr(&defaults)),
			Usage:    strings.ReplaceAll(f.usage, "`", ""),
			Commands: commandsOf(f),
		})
	}
	return out
}

func valueText(p any) string {
	switch v := p.(type) {
	case *string:
		return *v
	case *int:
		return fmt.Sprint(*v)
	case *bool:
		return fmt.Sprint(*v)
	case *Duration:
		return v.String()
	case *Lines:
		return strings.Join(*v, "\n")
	case *Tags:
		return strings.Join(*v, "\n")
	}
	panic(fmt.Sprintf("config: setting of unknown type %T", p))
}

// MarkdownTable is the README's table of every setting.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| flag | variable | Action / component input | default | what it does | used by |\n|---|---|---|---|---|---|\n")
	for _, s := range Settings() {
		flag := "—"
		if s.Flag != "" {
			flag = "`--" + s.Flag + "`"
		}
		def := ""
		if s.Default != "" {
			def = "`" + strings.ReplaceAll(s.Default, "\n", "\\n") + "`"
		}
		fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s | %s |\n", flag, s.Env, s.Input, def,
			strings.ReplaceAll(s.Usage, "|", "\\|"), strings.Join(s.Commands, ", "))
	}
	return b.String()
}
