package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/pprof"
	"time"
)

// Pprof holds the broker's profiles taken during a run, in pprof's own
// format (gzipped profile.proto; base64 in the JSON), so a record is one
// self-contained file: `go tool pprof` reads them once written out.
type Pprof struct {
	// Source is "inproc" (runtime/pprof in the benchmark's own process,
	// so the load generator's functions appear too) or the URL of the
	// broker's net/http/pprof handler.
	Source string `json:"source"`
	// CPUSeconds is how long the CPU profile ran.
	CPUSeconds float64 `json:"cpu_seconds"`
	CPU        []byte  `json:"cpu,omitempty"`
	// Heap is taken when the load ends, before the clients disconnect.
	Heap []byte `json:"heap,omitempty"`
	// Error says why a profile is missing.
	Error string `json:"error,omitempty"`
}

// PprofEnv is the environment variable that asks `midge serve` to serve
// net/http/pprof on a loopback address (MIDGE_PPROF=127.0.0.1:6060); a
// spawned midge gets it when the run takes profiles.
const PprofEnv = "MIDGE_PPROF"

// profiler takes a CPU profile over the run and a heap profile at its
// end.
type profiler interface {
	startCPU(ctx context.Context) error
	heap(ctx context.Context) ([]byte, error)
	stopCPU(ctx context.Context) ([]byte, time.Duration, error)
	source() string
}

// inprocProfiler uses runtime/pprof: the broker is this process.
type inprocProfiler struct {
	buf   bytes.Buffer
	began time.Time
}

func (p *inprocProfiler) source() string { return "inproc" }

func (p *inprocProfiler) startCPU(context.Context) error {
	p.began = time.Now()
	return pprof.StartCPUProfile(&p.buf)
}

func (p *inprocProfiler) stopCPU(context.Context) ([]byte, time.Duration, error) {
	pprof.StopCPUProfile()
	return p.buf.Bytes(), time.Since(p.began), nil
}

func (p *inprocProfiler) heap(context.Context) ([]byte, error) {
	runtime.GC() // the in-use figures then describe live memory, as the HTTP handler's gc=1 does
	var b bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// httpProfiler fetches profiles from a broker's net/http/pprof handler.
// The CPU profile's length is fixed when it is asked for, so it covers
// seconds from the start of the load (the whole run when it is shorter).
type httpProfiler struct {
	base    string // "http://127.0.0.1:6060"
	seconds int
	began   time.Time
	done    chan struct{}
	cpu     []byte
	err     error
}

func (p *httpProfiler) source() string { return p.base + "/debug/pprof/" }

// waitPprof waits up to timeout for the handler at base to answer.
func waitPprof(ctx context.Context, base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		_, err := fetch(ctx, base+"/debug/pprof/", 2*time.Second)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no pprof handler at %s (a midge broker serves one when %s is set): %v", base, PprofEnv, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *httpProfiler) startCPU(ctx context.Context) error {
	if err := waitPprof(ctx, p.base, 3*time.Second); err != nil {
		return err
	}
	p.began = time.Now()
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		// Not ctx: an interrupted run still collects what was profiled.
		p.cpu, p.err = fetch(context.Background(), fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", p.base, p.seconds),
			time.Duration(p.seconds)*time.Second+30*time.Second)
	}()
	return nil
}

func (p *httpProfiler) stopCPU(ctx context.Context) ([]byte, time.Duration, error) {
	if p.done == nil {
		return nil, 0, errors.New("CPU profile not started")
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	return p.cpu, time.Since(p.began), p.err
}

func (p *httpProfiler) heap(ctx context.Context) ([]byte, error) {
	return fetch(ctx, p.base+"/debug/pprof/heap?gc=1", 30*time.Second)
}

// fetch GETs url and returns its body (at most maxProfileBytes).
func fetch(ctx context.Context, url string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProfileBytes))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %s", url, resp.Status, bytes.TrimSpace(body[:min(len(body), 200)]))
	}
	return body, nil
}

// profiling is one run's profiles being taken.
type profiling struct {
	p      profiler
	out    Pprof
	heapAt bool // the heap profile was taken (or failed) at the end of the load
}

// pprofSeconds is the CPU profile length asked of an HTTP handler.
func pprofSeconds(cfg Config) int {
	if cfg.PprofSeconds > 0 {
		return cfg.PprofSeconds
	}
	p := cfg.Params
	if p.Count > 0 {
		return 10
	}
	d := time.Duration(p.Settle) + time.Duration(p.Duration) + time.Duration(p.Hold)
	return max(1, int((d+time.Second-1)/time.Second))
}

// startProfiling starts the CPU profile of t's broker; a broker that
// cannot be profiled leaves the reason in the record.
func startProfiling(ctx context.Context, t *Target, seconds int) *profiling {
	pr := &profiling{}
	switch {
	case t.shared:
		pr.p = &inprocProfiler{}
	case t.PprofAddr != "":
		pr.p = &httpProfiler{base: "http://" + t.PprofAddr, seconds: seconds}
	default:
		pr.out.Error = "the broker serves no profiles (run midge with " + PprofEnv + "=127.0.0.1:PORT and give its address)"
		return pr
	}
	pr.out.Source = pr.p.source()
	if err := pr.p.startCPU(ctx); err != nil {
		pr.out.Error = "CPU profile: " + err.Error()
		pr.p = nil
	}
	return pr
}

// takeHeap takes the heap profile while the clients are still connected.
func (pr *profiling) takeHeap(ctx context.Context) {
	if pr.p == nil || pr.heapAt {
		return
	}
	pr.heapAt = true
	h, err := pr.p.heap(ctx)
	if err != nil {
		pr.addError("heap profile: " + err.Error())
		return
	}
	pr.out.Heap = h
}

// finish ends the CPU profile (waiting for an HTTP one to complete) and
// returns what was taken.
func (pr *profiling) finish(ctx context.Context) *Pprof {
	if pr.p == nil {
		return &pr.out
	}
	pr.takeHeap(ctx)
	cpu, d, err := pr.p.stopCPU(ctx)
	if err != nil {
		pr.addError("CPU profile: " + err.Error())
	}
	pr.out.CPU, pr.out.CPUSeconds = cpu, d.Seconds()
	return &pr.out
}

func (pr *profiling) addError(msg string) {
	if pr.out.Error != "" {
		msg = pr.out.Error + "; " + msg
	}
	pr.out.Error = msg
}
