package cleanup

import (
	"fmt"
	"sort"
	"time"
)

// earliestTrusted is the first time an age may be read from: zero times,
// SOURCE_DATE_EPOCH=0 (1970) and the DOS epoch some tools write (1980) say
// "unknown", not "old".
var earliestTrusted = time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC)

// trusted reports whether t is a time an image can be judged by.
func trusted(t, now time.Time) bool {
	return t.After(earliestTrusted) && !t.After(now)
}

// ageOf is the time an image's age counts from: the later of git's date for
// its tag or commit and the image's own time, where trustworthy. An image
// is only as old as its youngest evidence, so a reproducible build (created
// at the epoch, or at the commit) and a rebuild of an old commit both count
// from their newest time. Without a trustworthy git date (the clone lacks
// the tag or commit) the youngest evidence is unknown: zero, and no limit
// applies.
func ageOf(now, created, gitDate time.Time) time.Time {
	if !trusted(gitDate, now) {
		return time.Time{}
	}
	if trusted(created, now) && created.After(gitDate) {
		return created
	}
	return gitDate
}

// limit keeps the newest count items and those younger than days; items
// whose age is unknown are kept and take no place in the count.
func limit(out []Decision, idx []int, count, days int, now time.Time) {
	if count < 0 && days < 0 {
		return
	}
	var known []int
	for _, i := range idx {
		if out[i].age.IsZero() {
			out[i].Reason += "; no trustworthy git date for it in the clone: no limit applies"
			continue
		}
		known = append(known, i)
	}
	sort.SliceStable(known, func(a, b int) bool { return newer(out[known[a]], out[known[b]]) })
	for rank, i := range known {
		d := &out[i]
		switch {
		case count >= 0 && rank >= count:
			d.Delete, d.Policy, d.Reason = true, d.Policy+" limit", fmt.Sprintf("beyond the %d newest", count)
		case days >= 0 && now.Sub(d.age) > time.Duration(days)*24*time.Hour:
			d.Delete, d.Policy, d.Reason = true, d.Policy+" expiry",
				fmt.Sprintf("older than %d days (%s)", days, d.age.UTC().Format(time.RFC3339))
		}
	}
}

// newer orders by age, then by the image's own time (commits made in one
// second), then by reference, so that the ranking never depends on the
// order the registry listed the tags in.
func newer(a, b Decision) bool {
	if !a.age.Equal(b.age) {
		return a.age.After(b.age)
	}
	if !a.Item.Created.Equal(b.Item.Created) {
		return a.Item.Created.After(b.Item.Created)
	}
	return a.Item.Ref < b.Item.Ref
}
