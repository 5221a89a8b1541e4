package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of CPU times in /proc/PID/stat: 100 on
// every Linux architecture midge builds for.
const clockTicks = 100

// procSample is one reading of a process's /proc files.
type procSample struct {
	cpu time.Duration // user + system time so far
	rss int64         // resident set size, bytes
	// wait is how long the process's live threads have waited runnable
	// for a CPU so far (run_delay in /proc/PID/task/TID/schedstat); 0
	// where the kernel keeps no schedstat.
	wait time.Duration
}

// readProc reads the CPU time and RSS of pid under root ("/proc").
func readProc(root string, pid int) (procSample, error) {
	stat, err := os.ReadFile(fmt.Sprintf("%s/%d/stat", root, pid))
	if err != nil {
		return procSample{}, err
	}
	// The command name (field 2) may hold spaces: fields are counted
	// after its closing parenthesis; utime and stime are fields 14, 15.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return procSample{}, fmt.Errorf("bench: unreadable /proc/%d/stat", pid)
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return procSample{}, fmt.Errorf("bench: short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return procSample{}, fmt.Errorf("bench: bad CPU times in /proc/%d/stat", pid)
	}
	s := procSample{cpu: time.Duration(utime+stime) * time.Second / clockTicks}
	status, err := os.ReadFile(fmt.Sprintf("%s/%d/status", root, pid))
	if err != nil {
		return procSample{}, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return procSample{}, fmt.Errorf("bench: bad VmRSS in /proc/%d/status", pid)
			}
			s.rss = kb * 1024
		}
	}
	s.wait = runQueueWait(root, pid)
	return s, nil
}

// runQueueWait sums the second field of /proc/PID/task/*/schedstat: the
// nanoseconds each thread spent runnable but waiting for a CPU. Threads
// that have ended take their share with them, so a broker's figure is
// whole only while its threads live (an event loop's do).
func runQueueWait(root string, pid int) time.Duration {
	tasks, err := os.ReadDir(fmt.Sprintf("%s/%d/task", root, pid))
	if err != nil {
		return 0
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("%s/%d/task/%s/schedstat", root, pid, t.Name()))
		if err != nil {
			continue // the thread ended between the two reads
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			if ns, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				sum += ns
			}
		}
	}
	return time.Duration(sum)
}

// Usage is what a broker process used during a run.
type Usage struct {
	PID int `json:"pid"`
	// Shared is set when the broker ran in the benchmark's own process:
	// the figures then include the load generator.
	Shared     bool    `json:"shared,omitempty"`
	CPUSeconds float64 `json:"cpu_seconds"` // user + system over the run
	CPUPercent float64 `json:"cpu_percent"` // of one core, over the run
	RSSStart   int64   `json:"rss_start_bytes"`
	RSSPeak    int64   `json:"rss_peak_bytes"`
	// RSSConnected is the RSS when every connection was up.
	RSSConnected int64 `json:"rss_connected_bytes,omitempty"`
	// RSSPerConn is (RSSConnected - RSSStart) / connections, for the
	// conns scenario.
	RSSPerConn float64 `json:"rss_per_conn_bytes,omitempty"`
	// CPUWaitSeconds is how long the broker's threads waited runnable for
	// a CPU over the run, and CPUWaitPercent that as a share of one core
	// (like CPUPercent): the CPU the broker wanted and did not get while
	// the machine ran something else (the load generator, the kernel,
	// the host of a virtual machine).
	CPUWaitSeconds float64       `json:"cpu_wait_seconds,omitempty"`
	CPUWaitPercent float64       `json:"cpu_wait_percent,omitempty"`
	Samples        []UsageSample `json:"samples"`
}

// UsageSample is one reading during the run.
type UsageSample struct {
	T          float64 `json:"t"` // seconds since the run started
	CPUPercent float64 `json:"cpu_percent"`
	RSS        int64   `json:"rss_bytes"`
}

// sampler reads a process's usage every interval until stopped.
type sampler struct {
	root  string
	pid   int
	start time.Time
	first procSample

	mu        sync.Mutex
	usage     Usage
	last      procSample
	lastAt    time.Time
	stop      chan struct{}
	done      chan struct{}
	connected int64
}

// startSampler takes a first reading of pid and samples it every interval.
func startSampler(root string, pid int, interval time.Duration) (*sampler, error) {
	first, err := readProc(root, pid)
	if err != nil {
		return nil, err
	}
	s := &sampler{root: root, pid: pid, start: time.Now(), first: first, last: first, lastAt: time.Now(),
		stop: make(chan struct{}), done: make(chan struct{})}
	s.usage = Usage{PID: pid, RSSStart: first.rss, RSSPeak: first.rss}
	go s.loop(interval)
	return s, nil
}

func (s *sampler) loop(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sample()
		}
	}
}

// sample takes one reading; it returns the RSS read (0 on failure).
func (s *sampler) sample() int64 {
	now := time.Now()
	cur, err := readProc(s.root, s.pid)
	if err != nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pct := 0.0
	if dt := now.Sub(s.lastAt); dt > 0 {
		pct = 100 * float64(cur.cpu-s.last.cpu) / float64(dt)
	}
	s.usage.Samples = append(s.usage.Samples, UsageSample{T: now.Sub(s.start).Seconds(), CPUPercent: pct, RSS: cur.rss})
	s.usage.RSSPeak = max(s.usage.RSSPeak, cur.rss)
	s.last, s.lastAt = cur, now
	return cur.rss
}

// markConnected records the RSS at the moment every connection is up.
func (s *sampler) markConnected() {
	rss := s.sample()
	s.mu.Lock()
	s.usage.RSSConnected = rss
	s.mu.Unlock()
}

// finish stops sampling and returns the usage over the whole run; conns
// (when > 0) gives the memory per connection.
func (s *sampler) finish(conns int) *Usage {
	s.sample()
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.usage
	elapsed := s.lastAt.Sub(s.start)
	u.CPUSeconds = (s.last.cpu - s.first.cpu).Seconds()
	u.CPUWaitSeconds = max(0, (s.last.wait - s.first.wait).Seconds())
	if elapsed > 0 {
		u.CPUPercent = 100 * u.CPUSeconds / elapsed.Seconds()
		u.CPUWaitPercent = 100 * u.CPUWaitSeconds / elapsed.Seconds()
	}
	if conns > 0 && u.RSSConnected > 0 {
		u.RSSPerConn = float64(u.RSSConnected-u.RSSStart) / float64(conns)
	}
	return &u
}

// childOpenFileLimit reads the soft open-file limit of a process from
// /proc/PID/limits.
func childOpenFileLimit(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.ParseUint(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("bench: no open-file limit in /proc/%d/limits", pid)
}
