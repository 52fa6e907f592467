package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// measureOpen measures shiptag alone on the link twice, round by round: on
// the benchmark's registry (linked), which checks a bcrypt password on
// every request, and on the same docker-registry open to anyone. The
// difference is what that check costs each scenario: time that belongs to
// the test registry, neither to the link nor to the client.
func measureOpen(linked *environment, im *images, bin string, runs int, m linkModel) ([]result, error) {
	work, err := os.MkdirTemp("", "shiptag-bench-open-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	_, openLinked, stop, err := openThroughLink(work, m)
	if err != nil {
		return nil, err
	}
	defer stop()
	return measureContenders([]contender{{e: linked, t: shiptagTool(checkedTool, bin)}, {e: openLinked, t: shiptagTool(openTool, bin)}}, im, runs, &m)
}

// openThroughLink starts, under work, a docker-registry open to anyone (its
// loopback environment) and the link in front of it; stop stops both.
func openThroughLink(work string, m linkModel) (open, linked *environment, stop func(), err error) {
	if open, err = startOpen(filepath.Join(work, "open")); err != nil {
		return nil, nil, nil, fmt.Errorf("the open registry: %w", err)
	}
	if linked, err = open.throughLink(filepath.Join(work, "open-link"), m); err != nil {
		open.stop()
		return nil, nil, nil, err
	}
	return open, linked, func() { linked.stop(); open.stop() }, nil
}

// The tool names of measureOpen's two columns (also their repositories').
const (
	checkedTool = "shiptag-htpasswd"
	openTool    = "shiptag-open"
)

// openTable is measureOpen's results beside each scenario's limit.
func openTable(rs []result) string {
	var b strings.Builder
	b.WriteString("shiptag alone on the same link, in a pass of its own after the table above, round by round on two " +
		"registries: docker-registry as above (a bcrypt password check on every request) and the same docker-registry " +
		"open to anyone. The difference is what the password check costs; what is left above the limit is the round " +
		"trips the limit does not count and the CPU that client, registry and proxies share.\n\n")
	b.WriteString("| scenario | physical limit s | password checked: wall s | ÷ limit | open: wall s | ÷ limit | requests | the checks cost s |\n" +
		"|---|---|---|---|---|---|---|---|\n")
	for _, sc := range scenarios() {
		c, o := find(rs, sc.name, checkedTool), find(rs, sc.name, openTool)
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %s | %.2f | %s | %d | %.2f |\n", sc.name, c.LimitSeconds, c.WallMedian,
			ratio(c.WallMedian, c.LimitSeconds), o.WallMedian, ratio(o.WallMedian, o.LimitSeconds), c.Requests, c.WallMedian-o.WallMedian)
	}
	return b.String()
}
