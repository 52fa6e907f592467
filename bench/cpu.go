package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTimes is CPU time spent, split by who spent it, for telling a
// registry's own bound (a password hash per request) from the client's.
type cpuTimes struct {
	Client   float64 `json:"client_cpu_s"`   // the measured command
	Registry float64 `json:"registry_cpu_s"` // docker-registry processes
	Bench    float64 `json:"bench_cpu_s"`    // this process: the proxies, and the in-memory registry
}

// cpuClock reads the CPU time so far of this process and of every
// docker-registry process.
func cpuClock() cpuTimes {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return cpuTimes{Bench: seconds(ru.Utime) + seconds(ru.Stime), Registry: processCPU("docker-registry")}
}

func seconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// since is the CPU time spent between before and now, with the client's.
func (before cpuTimes) since(client time.Duration) cpuTimes {
	now := cpuClock()
	return cpuTimes{Client: client.Seconds(), Registry: now.Registry - before.Registry, Bench: now.Bench - before.Bench}
}

// processCPU sums user and system time of the processes named comm, from
// /proc (Linux; 0 elsewhere).
func processCPU(comm string) float64 {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	ticks := 0.0
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		open, end := strings.IndexByte(string(data), '('), strings.LastIndexByte(string(data), ')')
		if open < 0 || end < open || string(data[open+1:end]) != comm {
			continue
		}
		fields := strings.Fields(string(data[end+1:]))
		if len(fields) < 13 {
			continue
		}
		utime, _ := strconv.ParseFloat(fields[11], 64) // field 14 of stat
		stime, _ := strconv.ParseFloat(fields[12], 64) // field 15
		ticks += utime + stime
	}
	return ticks / 100 // USER_HZ is 100 on Linux
}

// medianCPU is the median of each of the times, apart.
func medianCPU(ts []cpuTimes) cpuTimes {
	pick := func(f func(cpuTimes) float64) float64 {
		v := make([]float64, len(ts))
		for i, t := range ts {
			v[i] = f(t)
		}
		return median(v)
	}
	return cpuTimes{Client: pick(func(t cpuTimes) float64 { return t.Client }),
		Registry: pick(func(t cpuTimes) float64 { return t.Registry }),
		Bench:    pick(func(t cpuTimes) float64 { return t.Bench })}
}
