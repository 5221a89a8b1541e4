package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/midge-mqtt/midge/bench/ceiling"
)

func init() {
	register(&command{name: "ceiling", summary: "no-parse relay measured as the benchmarks' ceiling (not a broker)", run: runCeiling})
}

// runCeiling runs the ceiling relay until SIGINT or SIGTERM, so that
// "midge bench run --spawn 'midge ceiling --listen ADDR'" measures it like
// any broker.
func runCeiling(args []string) int {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:1883", "TCP address to listen on (host:port)")
	loops := fs.Int("loops", 0, "event loops (0: one per CPU)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: midge ceiling [--listen HOST:PORT] [--loops N]\n\n"+
			"Forwards PUBLISH packets to matching subscribers without parsing them:\n"+
			"no sessions, retained messages, QoS state or validation. It is what\n"+
			"the benchmarks compare brokers with, not a broker.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "midge ceiling: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := ceiling.Start(ctx, *listen, *loops)
	if err != nil {
		fmt.Fprintln(os.Stderr, "midge ceiling:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "midge ceiling: listening on", r.Addr())
	<-ctx.Done()
	err = r.Stop()
	if n := r.Dropped(); n > 0 {
		fmt.Fprintf(os.Stderr, "midge ceiling: %d forwards dropped for subscribers too far behind\n", n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "midge ceiling:", err)
		return 1
	}
	return 0
}
