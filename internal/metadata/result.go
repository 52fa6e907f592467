package metadata

import (
	"slices"
	"strings"
	"unicode"
)

// Inputs are metadata-action's inputs, one entry per line.
type Inputs struct {
	Images, Tags, Flavor, Labels, Annotations []string
	// AnnotationLevels is DOCKER_METADATA_ANNOTATIONS_LEVELS (default manifest).
	AnnotationLevels []string
}

// Result is every output of metadata-action but the bake files.
type Result struct {
	Version     Version
	Tags        []string // IMAGE:TAG for each enabled image (just TAG without images)
	TagNames    []string // the tags without image names
	Labels      []string // KEY=VALUE, sorted by key
	Annotations []string // LEVEL:KEY=VALUE
	Warnings    []string
}

// InputError is a failure that one of metadata-action's inputs caused, so
// that the caller can name that input alone.
type InputError struct {
	Input string // tags, flavor, images, labels or annotations
	Err   error
}

// Error is the underlying error's text.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// blame wraps a failure of one input in an InputError.
func blame(input string, err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Input: input, Err: err}
}

// Compute evaluates the inputs against ctx. A failure is an InputError
// naming the input at fault.
func Compute(in Inputs, ctx Context) (Result, error) {
	rules, err := ParseRules(in.Tags)
	if err != nil {
		return Result{}, blame("tags", err)
	}
	flavor, err := ParseFlavor(in.Flavor)
	if err != nil {
		return Result{}, blame("flavor", err)
	}
	images, err := ParseImages(in.Images)
	if err != nil {
		return Result{}, blame("images", err)
	}
	e := NewEngine(ctx, flavor)
	v, err := e.Version(rules)
	if err != nil {
		return Result{}, blame("tags", err)
	}
	r := Result{Version: v, Warnings: e.Warnings}
	if v.Main != "" {
		r.TagNames = append([]string{v.Main}, v.Partial...)
		if v.Latest {
			latest := "latest"
			if flavor.PrefixLatest {
				latest = flavor.Prefix + latest
			}
			if flavor.SuffixLatest {
				latest += flavor.Suffix
			}
			r.TagNames = append(r.TagNames, SanitizeTag(latest))
		}
		r.Tags = withImages(images, r.TagNames)
	}
	if r.Labels, err = e.annotations(in.Labels, v.Main); err != nil {
		return Result{}, blame("labels", err)
	}
	annotations, err := e.annotations(in.Annotations, v.Main)
	if err != nil {
		return Result{}, blame("annotations", err)
	}
	levels := in.AnnotationLevels
	if len(levels) == 0 {
		levels = []string{"manifest"}
	}
	for _, level := range levels {
		for _, a := range annotations {
			r.Annotations = append(r.Annotations, level+":"+a)
		}
	}
	return r, nil
}

// withImages puts each enabled image's lowercased name before every tag.
func withImages(images []Image, names []string) []string {
	var out []string
	for _, img := range images {
		if !img.Enable {
			continue
		}
		for _, n := range names {
			out = append(out, strings.ToLower(img.Name)+":"+n)
		}
	}
	if len(images) == 0 {
		out = append(out, names...)
	}
	return out
}

// annotations is the OCI set metadata-action writes, then the user's
// entries (global expressions expanded): a later key wins, an entry without
// "=" is dropped, and keys are sorted.
func (e *Engine) annotations(extra []string, version string) ([]string, error) {
	c := e.ctx
	entries := []string{
		"org.opencontainers.image.title=" + c.Repo.Name,
		"org.opencontainers.image.description=" + c.Repo.Description,
		"org.opencontainers.image.url=" + c.Repo.URL,
		"org.opencontainers.image.source=" + c.Repo.URL,
		"org.opencontainers.image.version=" + version,
		"org.opencontainers.image.created=" + c.Now.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		"org.opencontainers.image.revision=" + c.SHA,
		"org.opencontainers.image.licenses=" + c.Repo.License,
	}
	for _, x := range extra {
		s, err := e.expand(x)
		if err != nil {
			return nil, err
		}
		entries = append(entries, s)
	}
	values := map[string]string{}
	var keys []string
	for _, en := range entries {
		k, v, ok := strings.Cut(en, "=")
		if !ok {
			continue
		}
		if _, seen := values[k]; !seen {
			keys = append(keys, k)
		}
		values[k] = v
	}
	slices.SortStableFunc(keys, localeCompare)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + values[k]
	}
	return out, nil
}

// localeCompare approximates JavaScript's String.localeCompare, which
// metadata-action sorts keys with: punctuation before digits before
// letters, letters without regard to case, then lowercase first.
func localeCompare(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ka, kb := collationKey(ra[i]), collationKey(rb[i]); ka != kb {
			if ka < kb {
				return -1
			}
			return 1
		}
	}
	if len(ra) != len(rb) {
		return len(ra) - len(rb)
	}
	// Equal but for case: lowercase first, as ICU orders them.
	for i := range ra {
		if ra[i] != rb[i] {
			if unicode.IsLower(ra[i]) {
				return -1
			}
			return 1
		}
	}
	return 0
}

func collationKey(r rune) int {
	switch {
	case unicode.IsLetter(r):
		return 3<<21 | int(unicode.ToLower(r))
	case unicode.IsDigit(r):
		return 2<<21 | int(r)
	}
	return 1<<21 | int(r)
}
