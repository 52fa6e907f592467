package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// report is one bench run: both tables, and where they were taken.
type report struct {
	loopback, link []result
	open           []result // shiptag on the link, password checked and open (measureOpen)
	rates          []result // shiptag on the link and at half its rates (measureRates)
	model          linkModel
	planMS         float64
	machine        string
	memory         []memoryResult // nil: not measured (--quick)
}

func writeReport(o options, rep report) error {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	doc := map[string]any{"machine": rep.machine, "loopback": rep.loopback, "plan_ms": rep.planMS}
	if rep.link != nil {
		doc["link"], doc["link_model"] = rep.link, rep.model
	}
	if rep.open != nil {
		doc["link_open_registry"] = rep.open
	}
	if rep.rates != nil {
		doc["link_half_rate"], doc["link_half_rate_model"] = rep.rates, halfRate(rep.model)
	}
	if rep.memory != nil {
		doc["memory"] = rep.memory
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "latest.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	md := markdown(o, rep)
	fmt.Print(md)
	return os.WriteFile(filepath.Join(o.out, "latest.md"), []byte(md), 0o644)
}

func markdown(o options, rep report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Machine: %s. Layers of %.0f MB (seed images ~%.0f MB each), %d interleaved rounds, medians. "+
		"Every tool talks to Debian's docker-registry (TLS, basic auth) through a counting proxy on loopback that offers HTTP/2.\n\n",
		rep.machine, o.layerMB, 5*o.layerMB, o.runs)
	b.WriteString(loopbackTable(rep.loopback))
	if rep.link != nil {
		b.WriteString("\n" + linkTable(rep.model, rep.link))
	}
	if rep.open != nil {
		b.WriteString("\n" + openTable(rep.open))
	}
	if rep.rates != nil {
		b.WriteString("\n" + ratesTable(rep.model, rep.rates))
	}
	if rep.memory != nil {
		b.WriteString("\nPeak memory and TMPDIR use of one publish of a one-layer image, by source, on loopback:\n\n" + memoryTable(rep.memory))
	}
	b.WriteString("\n" + targets(rep, rep.planMS))
	return b.String()
}

func loopbackTable(results []result) string {
	var b strings.Builder
	b.WriteString("| scenario | tool | wall s | shiptag ÷ tool | MB uploaded | ÷ limit | requests | shiptag ÷ tool | blob uploads | mounts | manifest PUTs |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, sc := range scenarios() {
		ship := find(results, sc.name, "shiptag")
		for _, r := range results {
			if r.Scenario != sc.name {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f | %s | %.1f | %s | %d | %s | %d | %d | %d |\n", r.Scenario, r.Tool, r.WallMedian,
				ratio(ship.WallMedian, r.WallMedian), float64(r.Bytes)/1e6, limitRatio(r.Bytes, r.LimitBytes), r.Requests,
				ratio(float64(ship.Requests), float64(r.Requests)), r.Kinds["upload PUT"], r.Kinds["blob mount"], r.Kinds["manifest PUT"])
		}
		fmt.Fprintf(&b, "| %s | *limit* | | | %.1f | 1.00 | | | | | %d |\n", sc.name, float64(ship.LimitBytes)/1e6, ship.LimitManifests)
	}
	return b.String()
}

// linkTable is the link model's: each tool's wall time beside the
// scenario's physical limit, and shiptag's ratios to the limit and to each
// peer.
func linkTable(m linkModel, results []result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "On the link model (a shaping TCP proxy in front of the counting proxy: %s each way, %.0f MB/s per connection, "+
		"%.0f MB/s in all, per direction; TLS end to end):\n\n", m.OneWay, m.PerConn/1e6, m.Total/1e6)
	b.WriteString("| scenario | physical limit s | tool | wall s | ÷ limit | shiptag ÷ tool | TCP connections | requests | CPU s: tool, registry, proxies |\n" +
		"|---|---|---|---|---|---|---|---|---|\n")
	for _, sc := range scenarios() {
		ship := find(results, sc.name, "shiptag")
		for _, r := range results {
			if r.Scenario == sc.name {
				fmt.Fprintf(&b, "| %s | %.2f | %s | %.2f | %s | %s | %d | %d | %.2f, %.2f, %.2f |\n", sc.name, r.LimitSeconds, r.Tool, r.WallMedian,
					ratio(r.WallMedian, r.LimitSeconds), ratio(ship.WallMedian, r.WallMedian), r.Connections, r.Requests,
					r.CPU.Client, r.CPU.Registry, r.CPU.Bench)
			}
		}
	}
	fmt.Fprintf(&b, "\nCPU is each run's median: the tool's processes, docker-registry's, and the bench process's (the counting "+
		"and shaping proxies), on the machine's %d cores.\n", runtime.NumCPU())
	return b.String()
}

func find(results []result, scenario, tool string) result {
	for _, r := range results {
		if r.Scenario == scenario && r.Tool == tool {
			return r
		}
	}
	return result{}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func limitRatio(bytes, limit int64) string {
	if limit == 0 {
		if bytes == 0 {
			return "0 (limit 0)"
		}
		return fmt.Sprintf("+%.1f MB over 0", float64(bytes)/1e6)
	}
	return fmt.Sprintf("%.2f", float64(bytes)/float64(limit))
}

// targets checks the issues' targets against this run.
func targets(rep report, planMS float64) string {
	results := rep.loopback
	var b strings.Builder
	b.WriteString("| target | measured | met |\n|---|---|---|\n")
	check := func(name, measured string, ok bool) {
		mark := "yes"
		if !ok {
			mark = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, measured, mark)
	}
	for _, sc := range scenarios() {
		r := find(results, sc.name, "shiptag")
		ok := r.Bytes == r.LimitBytes
		check("bytes uploaded = unique blob bytes ("+sc.name+")", fmt.Sprintf("%d of %d", r.Bytes, r.LimitBytes), ok)
	}
	rerun := find(results, "rerun", "shiptag")
	check("0 blob uploads in rerun", fmt.Sprint(rerun.Kinds["upload PUT"]), rerun.Kinds["upload PUT"] == 0)
	for _, sc := range []string{"seed", "index", "scale"} {
		s := find(results, sc, "shiptag")
		for _, peer := range []string{"crane", "skopeo"} {
			p := find(results, sc, peer)
			check(fmt.Sprintf("wall ≤ 0.5 × %s (%s)", peer, sc), ratio(s.WallMedian, p.WallMedian), s.WallMedian <= 0.5*p.WallMedian)
		}
	}
	for _, sc := range []string{"seed", "scale"} {
		s, c := find(results, sc, "shiptag"), find(results, sc, "crane")
		check("requests ≤ 0.5 × crane ("+sc+")", ratio(float64(s.Requests), float64(c.Requests)), float64(s.Requests) <= 0.5*float64(c.Requests))
	}
	check("`shiptag plan` for the seed example < 20 ms", fmt.Sprintf("%.1f ms", planMS), planMS < 20)
	for _, sc := range []string{"seed", "scale", "rerun", "retag", "tag"} {
		if rep.link == nil {
			break
		}
		s, c := find(rep.link, sc, "shiptag"), find(rep.link, sc, "crane")
		bound := 1.3
		if sc == "rerun" || sc == "retag" || sc == "tag" {
			bound = 2
		}
		check(fmt.Sprintf("link: wall ≤ %.1f × the physical limit (%s)", bound, sc), ratio(s.WallMedian, s.LimitSeconds), s.WallMedian <= bound*s.LimitSeconds)
		if bound == 1.3 {
			check("link: wall ≤ 0.3 × crane ("+sc+")", ratio(s.WallMedian, c.WallMedian), s.WallMedian <= 0.3*c.WallMedian)
		}
	}
	memoryTargets(rep.memory, check)
	return b.String()
}

// memoryTargets: for each source, the peak memory with the largest layer
// within 10 MB of the smallest's (flat in layer size), and nothing in
// TMPDIR (no copy of the source).
func memoryTargets(rs []memoryResult, check func(name, measured string, ok bool)) {
	small, large := memoryLayers[0], memoryLayers[len(memoryLayers)-1]
	peaks := map[string]map[int]memoryResult{}
	for _, r := range rs {
		if peaks[r.Source] == nil {
			peaks[r.Source] = map[int]memoryResult{}
		}
		peaks[r.Source][r.LayerMB] = r
	}
	for _, src := range []string{"oci", "oci-archive", "docker-archive"} {
		a, b := peaks[src][small], peaks[src][large]
		if a.Source == "" || b.Source == "" {
			continue
		}
		check(fmt.Sprintf("peak memory flat in layer size (%s, %d → %d MB)", src, small, large),
			fmt.Sprintf("%.1f → %.1f MB", a.PeakRSSMB, b.PeakRSSMB), b.PeakRSSMB <= a.PeakRSSMB+10)
		check(fmt.Sprintf("no temporary copy of the source (%s)", src), fmt.Sprintf("%.1f MB in TMPDIR at most", b.TempMB), b.TempMB < 1)
	}
}
