package bench

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
	"github.com/midge-mqtt/midge/profiles"
)

// Config is one benchmark run: a scenario and the broker to drive.
type Config struct {
	Params loadgen.Params
	// Target is the broker (Spawn, InProc or External); Params.Address is
	// taken from it.
	Target *Target
	// BrokerName, when set, names the broker instead of what it reports.
	BrokerName string
	// MaxInflight is each client's QoS 1/2 window (0: the client's
	// default).
	MaxInflight int
	// Progress receives the progress bar (nil: none).
	Progress io.Writer
	// Command is the command line recorded with the result.
	Command string
	// Label names the run in reports (default: broker scenario qN).
	Label string
	// Pprof takes CPU and heap profiles of the broker: with runtime/pprof
	// when it runs in this process, else from Target.PprofAddr.
	Pprof bool
	// PprofSeconds is the CPU profile's length for a broker profiled over
	// HTTP (0: the scenario's settle, sending and hold time, or 10 s for
	// runs of a fixed message count).
	PprofSeconds int
	// Board, when set, replaces the detected board record (a preset
	// chosen by name).
	Board *profiles.Record
}

// Run drives the broker with the scenario and returns the record. A
// cancelled ctx (Ctrl-C) ends the run early; the record then holds what
// was measured, with Result.Interrupted set.
func Run(ctx context.Context, cfg Config) (*Record, error) {
	t := cfg.Target
	cfg.Params.Address = t.Info.Address
	t.identify(ctx, cfg.Params.Username, cfg.Params.Password)
	if cfg.BrokerName != "" {
		t.Info.Name = cfg.BrokerName
	}
	var smp *sampler
	if t.PID > 0 {
		smp, _ = startSampler("/proc", t.PID, 250*time.Millisecond)
	}
	load := loadAverage()
	self, selfErr := readProc("/proc", os.Getpid())
	var prof *profiling
	if cfg.Pprof {
		prof = startProfiling(ctx, t, pprofSeconds(cfg))
	}
	began := time.Now()
	d := &loadgen.ClientDialer{Address: t.Info.Address, MaxInflight: cfg.MaxInflight}
	res, err := loadgen.Run(ctx, cfg.Params, d, loadgen.RunOptions{
		Progress: cfg.Progress,
		OnPhase: func(phase string) {
			if phase == "connected" && smp != nil {
				smp.markConnected()
			}
			if phase == "disconnecting" && prof != nil {
				prof.takeHeap(ctx)
			}
		},
	})
	var pp *Pprof
	if prof != nil {
		pp = prof.finish(ctx)
	}
	if err != nil {
		if smp != nil {
			smp.finish(0)
		}
		return nil, err
	}
	rec := newRecord(res, t.Info, cfg.Command)
	rec.Pprof = pp
	if cfg.Board != nil {
		rec.Board = *cfg.Board
	}
	rec.LoadAverage = load
	if now, err := readProc("/proc", os.Getpid()); err == nil && selfErr == nil {
		if wall := time.Since(began); wall > 0 {
			rec.GeneratorCPUPercent = 100 * float64(now.cpu-self.cpu) / float64(wall)
		}
	}
	if smp != nil {
		conns := 0
		if res.Params.Scenario == "conns" {
			conns = res.Connect.Connected
		}
		rec.Usage = smp.finish(conns)
		rec.Usage.Shared = t.shared
	}
	if cfg.Label != "" {
		rec.Label = cfg.Label
	}
	return rec, nil
}
