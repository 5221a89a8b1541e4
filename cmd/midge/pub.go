package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/midge-mqtt/midge/client"
)

func init() {
	register(&command{name: "pub", summary: "publish messages (mosquitto_pub)", run: runPub})
}

const pubUsage = `midge pub publishes a message on a topic and exits
(mosquitto_pub compatible: same flags, output and exit codes).

Usage: midge pub {[-h host] [--unix path] [-p port] [-u username] [-P password] -t topic | -L URL}
                 {-f file | -l | -n | -m message | -s}
                 [-c] [-k keepalive] [-q qos] [-r] [--repeat N] [--repeat-delay time] [-x session-expiry]
                 [-A bind_address] [-i id] [-I id_prefix] [-d] [--quiet] [-M max_inflight]
                 [--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                 [{--cafile file | --capath dir} [--cert file] [--key file] [--insecure] [--tls-version version]]
                 [-D command identifier value] [-V protocol-version]
       midge pub --help

 -A : bind the outgoing socket to this address.
 -c : disable clean session (persistent session; needs -i).
 -d : print a line for every packet sent and received.
 -D : set an MQTT 5 property: -D connect|publish|subscribe|unsubscribe|disconnect|will name value.
 -f : send the contents of a file as the message.
 -h : host to connect to (default localhost).
 -i : client id (default: assigned by the broker). -I : id prefix, the process id is appended.
 -k : keep alive in seconds (default 60).
 -L : mqtt(s)://[username[:password]@]host[:port]/topic
 -l : read messages from stdin, one message per line.
 -m : message payload.
 -M : maximum QoS 1/2 messages in flight (default 20).
 -n : send a null (zero length) message.
 -p : port (default 1883, 8883 with TLS).
 -P / -u : password / username.
 -q : QoS (default 0).
 -r : retain the message.
 -s : read stdin whole as one message.
 -t : topic.
 -V : protocol version: 31, 311 (default) or 5 (also mqttv31, mqttv311, mqttv5).
 -x : session expiry interval (MQTT 5); -1 or ∞ for never.
 --repeat N, --repeat-delay seconds : publish the message N times.
 --unix : connect through a Unix socket.
 --will-topic/--will-payload/--will-qos/--will-retain : the client's will.
 --cafile/--capath/--cert/--key/--insecure/--tls-version : TLS.
 --quiet : print no error messages. --version : print the version.
`

func runPub(args []string) int {
	out := &toolOutput{stdout: os.Stdout, stderr: os.Stderr}
	cfg, code, ok := loadToolConfig(toolPub, args, out, pubUsage)
	if !ok {
		return code
	}
	out.quiet = cfg.quiet
	if cfg.topic == "" || cfg.mode == msgNone {
		out.errorf("Error: Both topic and message must be supplied.\n")
		os.Stdout.WriteString(pubUsage)
		return exitError
	}
	payload, ok := loadPayload(cfg, out, msgStdinFile)
	if !ok {
		return exitError
	}
	return publishMessages(cfg, out, payload, os.Stdin)
}

// loadPayload reads the message that -m, -f or (for the modes in stdin)
// standard input gives, reporting a failure as mosquitto's tools do.
func loadPayload(cfg *clientConfig, out *toolOutput, stdin ...pubMode) ([]byte, bool) {
	switch {
	case cfg.mode == msgCmdline:
		return []byte(cfg.message), true
	case cfg.mode == msgFile:
		b, err := os.ReadFile(cfg.file)
		if err != nil {
			out.errorf("Error: Unable to open file \"%s\".\nError loading input file \"%s\".\n", cfg.file, cfg.file)
			return nil, false
		}
		return b, true
	case slices.Contains(stdin, cfg.mode):
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			out.errorf("Error loading input from stdin.\n")
			return nil, false
		}
		return b, true
	}
	return nil, true
}

// publishMessages connects, publishes (repeatedly, or a line at a time
// from lines with -l), waits for every acknowledgement and disconnects.
func publishMessages(cfg *clientConfig, out *toolOutput, payload []byte, lines io.Reader) int {
	ctx := context.Background()
	cl, code, err := connectTool(ctx, cfg, out, func(*client.Message) {})
	if err != nil {
		if code != exitError {
			// mosquitto_pub also reports the failed network loop.
			if cfg.version == 5 {
				out.errorf("Error: A network protocol error occurred when communicating with the broker.\n")
			} else {
				out.errorf("Error: The connection was refused.\n")
			}
		}
		return code
	}
	var props client.PublishProperties
	for _, p := range cfg.props {
		if p.command == "publish" {
			applyPublishProperty(&props, p)
		}
	}
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	send := func(body []byte) error {
		m := &client.Message{Topic: cfg.topic, Payload: body, QoS: cfg.qos, Retain: cfg.retain, Properties: props}
		wg.Add(1)
		err := cl.PublishAsync(ctx, m, func(err error) {
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
			wg.Done()
		})
		if err != nil {
			wg.Done()
		}
		return err
	}
	if cfg.mode == msgStdinLine {
		err = sendLines(lines, send)
	} else {
		for i := 0; i < cfg.repeat && err == nil; i++ {
			if i > 0 && cfg.repeatDelay > 0 {
				time.Sleep(cfg.repeatDelay)
			}
			err = send(payload)
		}
	}
	if err == nil {
		wg.Wait()
		mu.Lock()
		err = firstErr
		mu.Unlock()
	}
	if err != nil {
		var ae *client.AckError
		if !errors.As(err, &ae) {
			out.errorf("Error: %v\n", err)
			cl.Close()
			return exitError
		}
		// A refused publish is reported, like mosquitto -d, but the
		// session ends normally.
		out.errorf("Warning: Publish failed: %s.\n", client.ReasonString(ae.Code))
	}
	cl.Disconnect(cfg.disconnectPacket(0))
	return exitOK
}

// sendLines publishes every line of r without its "\n" (empty lines
// included, a last line without a newline too).
func sendLines(r io.Reader, send func([]byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			if e := send(line); e != nil {
				return e
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
