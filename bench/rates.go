package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// measureRates measures shiptag alone, round by round, on the link and on
// a second link with the same delay at half the rates, to the same
// registry. What a run spends above its limit either grows as the link
// slows (bytes the client fails to keep in flight) or stays the same (round
// trips the limit does not count, and the registry's time per request):
// the two columns tell which.
func measureRates(linked *environment, im *images, bin string, runs int, m linkModel) ([]result, error) {
	work, err := os.MkdirTemp("", "shiptag-bench-rates-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	half := halfRate(m)
	slow, err := linked.throughLink(filepath.Join(work, "half"), half)
	if err != nil {
		return nil, err
	}
	defer slow.stop()
	return measureContenders([]contender{
		{e: linked, t: shiptagTool(fullRateTool, bin), m: &m},
		{e: slow, t: shiptagTool(halfRateTool, bin), m: &half},
	}, im, runs, &m)
}

// halfRate is m at half its rates, with the same delay.
func halfRate(m linkModel) linkModel {
	return linkModel{OneWay: m.OneWay, PerConn: m.PerConn / 2, Total: m.Total / 2}
}

// The tool names of measureRates' two columns (also their repositories').
const (
	fullRateTool = "shiptag-full-rate"
	halfRateTool = "shiptag-half-rate"
)

// ratesTable is measureRates' results: the time above each limit, at both
// rates.
func ratesTable(m linkModel, rs []result) string {
	half := halfRate(m)
	var b strings.Builder
	fmt.Fprintf(&b, "shiptag alone, in a pass of its own, round by round on the link above and on one with the same delay "+
		"at half the rates (%.1f MB/s per connection, %.0f MB/s in all), to the same registry. Time above the limit that "+
		"grows as the rates halve is bytes the client did not keep in flight; time that stays is round trips the limit "+
		"does not count (the ping, the reads before the writes, a mount before a manifest) and the registry's time per request.\n\n",
		half.PerConn/1e6, half.Total/1e6)
	b.WriteString("| scenario | limit s | wall s | above the limit s | ÷ limit | half rate: limit s | wall s | above the limit s | ÷ limit |\n" +
		"|---|---|---|---|---|---|---|---|---|\n")
	for _, sc := range scenarios() {
		f, h := find(rs, sc.name, fullRateTool), find(rs, sc.name, halfRateTool)
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.2f | %s | %.2f | %.2f | %.2f | %s |\n", sc.name,
			f.LimitSeconds, f.WallMedian, f.WallMedian-f.LimitSeconds, ratio(f.WallMedian, f.LimitSeconds),
			h.LimitSeconds, h.WallMedian, h.WallMedian-h.LimitSeconds, ratio(h.WallMedian, h.LimitSeconds))
	}
	return b.String()
}
