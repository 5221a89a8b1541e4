package main

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/midge-mqtt/midge/client"
)

func init() {
	register(&command{name: "sub", summary: "subscribe and print messages (mosquitto_sub)", run: runSub})
}

const subUsage = `midge sub subscribes to topics and prints the messages it receives
(mosquitto_sub compatible: same flags, output and exit codes).

Usage: midge sub {[-h host] [--unix path] [-p port] [-u username] [-P password] -t topic | -L URL [-t topic]}
                 [-c] [-k keepalive] [-q qos] [-x session-expiry-interval]
                 [-C msg_count] [-E] [-R] [--retained-only] [--remove-retained] [-T filter_out] [-U topic ...]
                 [-F format] [-W timeout_secs] [-A bind_address] [--nodelay]
                 [-i id] [-I id_prefix] [-d] [-N] [--quiet] [-v] [--pretty]
                 [--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                 [{--cafile file | --capath dir} [--cert file] [--key file] [--insecure] [--tls-version version]]
                 [-D command identifier value] [-V protocol-version]
       midge sub --help

 -C : disconnect and exit after receiving 'msg_count' messages.
 -E : exit once all subscriptions have been acknowledged by the broker.
 -F : output format: %t topic, %p payload, %x/%X payload in hex, %l length, %q QoS,
      %r retain, %m message id, %I ISO 8601 time, %U unix time, %j/%J JSON,
      MQTT 5: %A alias, %C content type, %D correlation data, %E expiry, %F format
      indicator, %P user properties, %R response topic, %S subscription id; @ tokens
      are strftime conversions, @N nanoseconds; \n \t \\ \0 \a \e \r \v escapes.
 -N : do not add an end of line character when printing the payload.
 -R : do not print stale messages (those with retain set).
 -T : topic filter to leave out of the results. May be repeated.
 -U : unsubscribe from a topic. May be repeated.
 -v : print the topic before the payload.
 -W : exit with code 27 after this many seconds.
 --retained-only : only print retained messages; exit at the first non-retained one.
 --remove-retained : clear every retained message received (use -T to keep some).
 --retain-as-published : keep the retain flag as published (MQTT 5).
Other flags as midge pub --help describes.
`

// subState is what the message handler of sub needs; it runs on the
// connection's reader goroutine.
type subState struct {
	cfg     *clientConfig
	out     *toolOutput
	w       *bufio.Writer
	cl      atomic.Pointer[client.Client]
	ctx     context.Context
	count   int
	stop    chan struct{}
	stopped sync.Once
	buf     []byte
	removal sync.WaitGroup // --remove-retained publishes not yet acknowledged
}

func (s *subState) finish() { s.stopped.Do(func() { close(s.stop) }) }

func (s *subState) onMessage(m *client.Message) {
	select {
	case <-s.stop:
		return
	default:
	}
	c := s.cfg
	if c.retainedOnly && !m.Retain {
		s.finish()
		return
	}
	if m.Retain && c.noRetain {
		return
	}
	for _, f := range c.filterOuts {
		if topicMatches(f, m.Topic) {
			return
		}
	}
	if c.removeRetained && m.Retain {
		// Not on this goroutine: it must go on reading the PUBACKs.
		s.removal.Add(1)
		go func() {
			defer s.removal.Done()
			s.cl.Load().Publish(s.ctx, &client.Message{Topic: m.Topic, QoS: 1, Retain: true})
		}()
	}
	if c.randomFilter >= 100 || rand.Float64()*100 < c.randomFilter {
		var warn error
		s.buf, warn = appendMessage(s.buf[:0], &c.print, m, time.Now())
		s.w.Write(s.buf)
		s.w.Flush()
		if warn != nil {
			s.out.errorf("%v\n", warn)
		}
	}
	if c.msgCount > 0 {
		s.count++
		if s.count == c.msgCount {
			s.finish()
		}
	}
}

func runSub(args []string) int {
	out := &toolOutput{stdout: os.Stdout, stderr: os.Stderr}
	cfg, code, ok := loadToolConfig(toolSub, args, out, subUsage)
	if !ok {
		return code
	}
	out.quiet = cfg.quiet
	return subscribeAndPrint(cfg, out, nil)
}

// subscribeAndPrint runs sub (and, with afterSubscribe set, rr): connect,
// subscribe, print until a stop condition, disconnect.
func subscribeAndPrint(cfg *clientConfig, out *toolOutput, afterSubscribe func(context.Context, *client.Client) error) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &subState{cfg: cfg, out: out, w: bufio.NewWriter(out.stdout), ctx: ctx, stop: make(chan struct{})}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	var timeout <-chan time.Time
	if cfg.timeout > 0 {
		timeout = time.After(time.Duration(cfg.timeout) * time.Second)
	}

	cl, code, err := connectTool(ctx, cfg, out, s.onMessage)
	if err != nil {
		return code
	}
	if err := s.subscribe(cl); err != nil {
		out.errorf("Error: %v\n", err)
		cl.Close()
		return exitError
	}
	if cfg.exitAfterSub {
		s.finish()
	}
	if afterSubscribe != nil {
		if err := afterSubscribe(ctx, cl); err != nil {
			out.errorf("Error: %v\n", err)
			cl.Close()
			return exitError
		}
	}
	reason := byte(0)
	for waiting := true; waiting; {
		select {
		case <-s.stop:
			waiting = false
		case <-signals:
			reason = 0x04 // disconnect with will message, as mosquitto_sub does on a signal
			waiting = false
		case <-timeout:
			cl.Disconnect(cfg.disconnectPacket(0x04))
			out.errorf("Timed out\n")
			return exitTimeout
		case <-cl.Done():
			// Like mosquitto_sub: reconnect every second and subscribe
			// again until a stop condition.
			select {
			case <-s.stop:
				waiting = false
				continue
			case <-signals:
				return exitOK
			case <-timeout:
				out.errorf("Timed out\n")
				return exitTimeout
			case <-time.After(time.Second):
			}
			if next, err := s.reconnect(ctx); err == nil {
				cl = next
			}
		}
	}
	// Like mosquitto_sub, leave only once the removals are acknowledged.
	removed := make(chan struct{})
	go func() { s.removal.Wait(); close(removed) }()
	select {
	case <-removed:
	case <-time.After(10 * time.Second):
	}
	cl.Disconnect(cfg.disconnectPacket(reason))
	return exitOK
}

// subscribe sends the SUBSCRIBE for every -t and the UNSUBSCRIBEs for -U.
func (s *subState) subscribe(cl *client.Client) error {
	cfg := s.cfg
	s.cl.Store(cl)
	subs := make([]client.Subscription, len(cfg.topics))
	for i, t := range cfg.topics {
		subs[i] = client.Subscription{Filter: t, QoS: cfg.qos, RetainAsPublished: cfg.retainAsPublished}
		if cfg.noRetain {
			subs[i].RetainHandling = 2 // never send retained messages
		}
	}
	user, subID := cfg.propsFor("subscribe")
	ack, err := cl.Subscribe(s.ctx, subs, subID, user)
	if err != nil {
		return err
	}
	if cfg.debug {
		s.w.WriteString("Subscribed (mid: " + itoa(int(ack.PacketID)) + "):")
		for i, code := range ack.Codes {
			if i > 0 {
				s.w.WriteString(",")
			}
			s.w.WriteString(" " + itoa(int(code)))
		}
		s.w.WriteString("\n")
		s.w.Flush()
	}
	unsubUser, _ := cfg.propsFor("unsubscribe")
	for _, t := range cfg.unsubTopics {
		if _, err := cl.Unsubscribe(s.ctx, []string{t}, unsubUser); err != nil {
			return err
		}
	}
	return nil
}

// reconnect dials again quietly after a lost connection and subscribes.
func (s *subState) reconnect(ctx context.Context) (*client.Client, error) {
	quiet := *s.out
	quiet.quiet = true
	cl, _, err := connectTool(ctx, s.cfg, &quiet, s.onMessage)
	if err != nil {
		return nil, err
	}
	if err := s.subscribe(cl); err != nil {
		cl.Close()
		return nil, err
	}
	return cl, nil
}

func itoa(n int) string { return string(appendInt(nil, int64(n), fieldSpec{})) }

// topicMatches reports whether topic matches filter ('+' one level, '#'
// the rest, §4.7); topics starting with '$' match no leading wildcard
// [MQTT-4.7.2-1].
func topicMatches(filter, topic string) bool {
	if len(topic) > 0 && topic[0] == '$' && len(filter) > 0 && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	for {
		fl, frest, fmore := cut(filter)
		if fl == "#" {
			return true
		}
		tl, trest, tmore := cut(topic)
		if fl != "+" && fl != tl {
			return false
		}
		if !fmore || !tmore {
			if !fmore && !tmore {
				return true
			}
			// "a/#" also matches "a" [MQTT-4.7.1-2].
			return fmore && !tmore && frest == "#"
		}
		filter, topic = frest, trest
	}
}

func cut(s string) (level, rest string, more bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
