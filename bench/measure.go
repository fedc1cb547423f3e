//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sample is one run of one measurement.
type sample struct {
	cpu, user, sys time.Duration // of the child and its descendants (getrusage)
	wall           time.Duration
	peakRSS        int64         // bytes; 0 when unknown
	loopCPU        time.Duration // reported by the child for the part it measures itself, else 0
	load1          float64       // 1-minute load average just before the run
	otherCores     float64       // CPU used by other processes during the run, in cores
	stealCores     float64       // CPU the hypervisor gave to other machines meanwhile, in cores
}

// child describes one process to run and time.
type child struct {
	name string
	args []string
	env  []string // added to the environment
	dir  string
}

// runChild runs c and measures it: CPU time (user + system, from the
// rusage that wait4 returns, which includes the child's own waited-for
// children) and wall time; peak resident memory through GNU time when it is
// installed (a child forked straight from this larger process would count
// the parent's resident size in its high-water mark); and how busy the rest
// of the machine was meanwhile, from /proc/stat.
func runChild(c child) (sample, []byte, error) {
	args := append([]string{c.name}, c.args...)
	rssFile := ""
	if gnuTime != "" {
		f, err := os.CreateTemp("", "g2m-bench-rss-")
		if err != nil {
			return sample{}, nil, err
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		args = append([]string{gnuTime, "-f", "%M", "-o", rssFile}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Dir = c.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	s := sample{load1: loadAverage()}
	busy0, steal0, at0 := machineBusy()
	start := time.Now()
	err := cmd.Run()
	s.wall = time.Since(start)
	busy1, steal1, at1 := machineBusy()
	if err != nil {
		return s, nil, fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, lastLines(stderr.String(), 20))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.user = time.Duration(ru.Utime.Nano())
		s.sys = time.Duration(ru.Stime.Nano())
		s.cpu = s.user + s.sys
	}
	if busy1 > 0 && at1.After(at0) {
		elapsed := at1.Sub(at0).Seconds()
		s.otherCores = max(0, (busy1-busy0-s.cpu.Seconds())/elapsed)
		s.stealCores = (steal1 - steal0) / elapsed
	}
	if rssFile != "" {
		b, _ := os.ReadFile(rssFile)
		if kb, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			s.peakRSS = kb * 1024
		}
	}
	return s, stdout.Bytes(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// gnuTime is the path of GNU time, or empty; set once by main.
var gnuTime string

// loadAverage is the 1-minute load average, or -1.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// machineBusy is the CPU time, in seconds, that all processes of the
// machine have used since boot (user, nice, system, interrupts) and the
// time the hypervisor gave to other machines while this one wanted to run
// (steal), from /proc/stat, and when they were read; zeros where there is
// no /proc/stat.
func machineBusy() (busy, steal float64, at time.Time) {
	at = time.Now()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, at
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, at
	}
	const userHZ = 100 // USER_HZ, fixed at 100 on Linux
	field := func(i int) float64 {
		n, _ := strconv.ParseFloat(f[1+i], 64)
		return n / userHZ
	}
	// user, nice, system, idle, iowait, irq, softirq, steal; guest time is
	// already counted in user time.
	busy = field(0) + field(1) + field(2) + field(5) + field(6)
	return busy, field(7), at
}

// stats are the medians of a measurement's samples.
type stats struct {
	n                          int
	cpu, user, sys, wall, loop time.Duration
	peakRSS, minRSS, maxRSS    int64
	otherCores, stealCores     float64
	// spread is (largest - smallest) / median of the CPU time that the
	// table reports (the loop's where the child reports one).
	spread float64
}

func summarize(samples []sample) stats {
	st := stats{n: len(samples)}
	if len(samples) == 0 {
		return st
	}
	med := func(get func(sample) float64) float64 {
		v := make([]float64, len(samples))
		for i, s := range samples {
			v[i] = get(s)
		}
		return median(v)
	}
	st.cpu = time.Duration(med(func(s sample) float64 { return float64(s.cpu) }))
	st.user = time.Duration(med(func(s sample) float64 { return float64(s.user) }))
	st.sys = time.Duration(med(func(s sample) float64 { return float64(s.sys) }))
	st.wall = time.Duration(med(func(s sample) float64 { return float64(s.wall) }))
	st.loop = time.Duration(med(func(s sample) float64 { return float64(s.loopCPU) }))
	st.peakRSS = int64(med(func(s sample) float64 { return float64(s.peakRSS) }))
	st.otherCores = med(func(s sample) float64 { return s.otherCores })
	st.stealCores = med(func(s sample) float64 { return s.stealCores })
	cpus := make([]float64, len(samples))
	for i, s := range samples {
		cpus[i] = float64(s.cpu)
		if s.loopCPU > 0 {
			cpus[i] = float64(s.loopCPU)
		}
	}
	if m := median(cpus); m > 0 {
		st.spread = (slices.Max(cpus) - slices.Min(cpus)) / m
	}
	st.minRSS, st.maxRSS = samples[0].peakRSS, samples[0].peakRSS
	for _, s := range samples {
		st.minRSS, st.maxRSS = min(st.minRSS, s.peakRSS), max(st.maxRSS, s.peakRSS)
	}
	return st
}

// median of v; v is reordered.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
