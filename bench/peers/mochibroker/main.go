// Command mochi-broker runs the mochi-mqtt broker (github.com/mochi-mqtt/server/v2)
// with its default options, a TCP listener and an allow-all
// authenticator, so that "midge bench" can measure it beside midge and
// mosquitto:
//
//	cd bench/peers && go build -o ../../bin/mochi-broker ./mochibroker
//	midge bench run fanin --spawn 'bin/mochi-broker --listen 127.0.0.1:1885' ...
//
// It stops cleanly on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run parses the flags, serves until SIGTERM or SIGINT and returns the
// exit code.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("mochi-broker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:1883", "TCP address to listen on (host:port)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mochi-broker: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	server, _, err := start(*listen)
	if err != nil {
		fmt.Fprintln(stderr, "mochi-broker:", err)
		return 1
	}
	<-ctx.Done()
	if err := server.Close(); err != nil {
		fmt.Fprintln(stderr, "mochi-broker:", err)
		return 1
	}
	return 0
}

// start runs a mochi-mqtt server listening on addr and returns it with
// the address it is bound to (the chosen port when addr's port is 0).
func start(addr string) (*mqtt.Server, string, error) {
	server := mqtt.New(nil) // the options a mochi user gets by default
	if err := server.AddHook(new(auth.AllowHook), nil); err != nil {
		return nil, "", err
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: addr})
	if err := server.AddListener(tcp); err != nil {
		return nil, "", err
	}
	if err := server.Serve(); err != nil {
		_ = server.Close()
		return nil, "", err
	}
	return server, tcp.Address(), nil
}
