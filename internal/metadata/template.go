package metadata

import (
	"fmt"
	"strconv"
	"strings"
)

// helper renders one {{name args… key='value'…}} expression.
type helper func(args []param, hash map[string]string) (string, error)

// param is one positional argument. A quoted string or a number is
// defined; a bare word is a Handlebars path, a lookup in metadata-action's
// helpers that finds nothing, so it is undefined: {{date YYYYMMDD}} formats
// as {{date}} does there (metadata-action's test pr12).
type param struct {
	text    string
	defined bool
}

// render expands the Handlebars subset metadata-action's templates use:
// {{name}} and {{name 'arg' key='value'}}, escaped as Handlebars escapes
// (&, <, >, ", ', `, =), and {{{name}}} unescaped. An unknown name renders
// empty, as in Handlebars.
func render(tpl string, helpers map[string]helper) (string, error) {
	var b strings.Builder
	rest := tpl
	for {
		open := strings.Index(rest, "{{")
		if open < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		b.WriteString(rest[:open])
		rest = rest[open:]
		closing, raw := "}}", false
		if strings.HasPrefix(rest, "{{{") {
			closing, raw = "}}}", true
		}
		end := strings.Index(rest, closing)
		if end < 0 {
			return "", fmt.Errorf("template %q: {{ is not closed", tpl)
		}
		inner := strings.TrimSpace(rest[len(closing):end])
		rest = rest[end+len(closing):]
		out, err := call(inner, helpers)
		if err != nil {
			return "", fmt.Errorf("template %q: %w", tpl, err)
		}
		if !raw {
			out = escapeHTML(out)
		}
		b.WriteString(out)
	}
}

func call(expr string, helpers map[string]helper) (string, error) {
	words, err := splitWords(expr)
	if err != nil || len(words) == 0 {
		return "", fmt.Errorf("cannot read {{%s}}", expr)
	}
	var args []param
	hash := map[string]string{}
	for _, w := range words[1:] {
		quoted := strings.HasPrefix(w, "'") || strings.HasPrefix(w, `"`)
		switch k, v, ok := strings.Cut(w, "="); {
		case ok && !quoted:
			// A bare value is taken as written (tz=UTC): Handlebars would
			// pass it as undefined, and metadata-action would then fail.
			hash[k] = unquote(v)
		case quoted:
			args = append(args, param{text: unquote(w), defined: true})
		default:
			_, err := strconv.ParseFloat(w, 64)
			args = append(args, param{text: w, defined: err == nil})
		}
	}
	h, ok := helpers[words[0]]
	if !ok {
		return "", nil
	}
	return h(args, hash)
}

// splitWords splits on spaces outside quotes.
func splitWords(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			b.WriteByte(c)
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == ' ' || c == '\t':
			if b.Len() > 0 {
				words = append(words, b.String())
				b.Reset()
			}
		default:
			b.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote")
	}
	if b.Len() > 0 {
		words = append(words, b.String())
	}
	return words, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;", "`", "&#x60;", "=", "&#x3D;")

func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

// value is a helper that returns a fixed string.
func value(s string) helper {
	return func([]param, map[string]string) (string, error) { return s, nil }
}
