package main

import (
	"errors"
	"math"
	"os"
	"strconv"
	"time"
)

// toolKind says which tool a command line belongs to; options that belong
// to another tool are unknown options, as in mosquitto.
type toolKind int

const (
	toolPub toolKind = iota
	toolSub
	toolRR
)

func (k toolKind) mosquittoName() string {
	return [...]string{"mosquitto_pub", "mosquitto_sub", "mosquitto_rr"}[k]
}

func (k toolKind) name() string { return [...]string{"pub", "sub", "rr"}[k] }

// How pub (and rr) get the message payload.
type pubMode int

const (
	msgNone      pubMode = iota
	msgCmdline           // -m
	msgFile              // -f
	msgStdinLine         // -l
	msgStdinFile         // -s
	msgNull              // -n
)

// propertyValue is one -D/--property argument.
type propertyValue struct {
	command string // connect, publish, subscribe, unsubscribe, disconnect, will, auth
	name    string
	value   string
	key     string // user-property name
}

// clientConfig holds every option of the pub, sub and rr command lines,
// after the options file and then the command line have been applied.
type clientConfig struct {
	kind toolKind

	host        string
	port        int // -1: not given
	unixPath    string
	bindAddress string
	username    *string
	password    *string
	id          string
	idPrefix    string
	keepalive   int
	version     byte // 3, 4 or 5
	clean       bool
	expiry      int64 // -1: not given
	debug       bool
	quiet       bool
	nodelay     bool
	maxInflight int

	willTopic   string
	willPayload *string
	willQoS     byte
	willRetain  bool

	props []propertyValue

	cafile, capath, certfile, keyfile string
	insecure                          bool
	tlsVersion                        string
	tlsUseOSCerts                     bool
	tlsALPN                           string

	// pub and rr
	topic       string
	mode        pubMode
	message     string
	file        string
	qos         byte
	retain      bool
	repeat      int
	repeatDelay time.Duration

	// sub and rr
	topics            []string
	filterOuts        []string
	unsubTopics       []string
	msgCount          int
	timeout           int
	exitAfterSub      bool
	noRetain          bool
	retainedOnly      bool
	removeRetained    bool
	retainAsPublished bool
	print             printOptions
	randomFilter      float64 // percent; 100 prints everything

	responseTopic string // rr -e
}

// Results of parsing that are not errors.
var (
	errShowHelp    = errors.New("help")
	errShowVersion = errors.New("version")
)

func newClientConfig(kind toolKind) *clientConfig {
	c := &clientConfig{kind: kind, port: -1, keepalive: 60, version: 4, clean: true, expiry: -1,
		maxInflight: 20, repeat: 1, randomFilter: 100}
	if kind == toolRR {
		c.version = 5
		c.msgCount = 1
	}
	return c
}

// loadClientConfig applies the per-user options file and then args, and
// checks the combination. The error text is the one line to print after
// "Error: ".
func loadClientConfig(kind toolKind, args []string) (*clientConfig, error) {
	c := newClientConfig(kind)
	if path := optionsFilePath(kind); path != "" {
		if err := c.applyOptionsFile(path); err != nil {
			return nil, err
		}
	}
	if err := c.parseArgs(args); err != nil {
		return nil, err
	}
	return c, c.finish()
}

func (c *clientConfig) finish() error {
	if c.willPayload != nil && c.willTopic == "" {
		return errors.New("Will payload given, but no will topic given")
	}
	if c.willRetain && c.willTopic == "" {
		return errors.New("Will retain given, but no will topic given")
	}
	if (c.certfile != "") != (c.keyfile != "") {
		return errors.New("Both certfile and keyfile must be provided if one of them is set")
	}
	if c.version == 5 {
		if !c.clean && c.expiry == -1 {
			c.expiry = math.MaxUint32
		}
		if c.expiry == math.MaxUint32 && (c.idPrefix != "" || c.id == "") {
			return errors.New("You must provide a client id if you are using an infinite session expiry interval")
		}
	} else if !c.clean && (c.idPrefix != "" || c.id == "") {
		return errors.New("You must provide a client id if you are using the -c option")
	}
	if c.kind == toolSub && len(c.topics) == 0 {
		return errors.New("You must specify a topic to subscribe to")
	}
	if c.kind == toolSub && c.noRetain && c.retainedOnly {
		return errors.New("Combining '-R' and '--retained-only' makes no sense")
	}
	if c.host == "" {
		c.host = "localhost"
	}
	for _, p := range c.props {
		if err := checkPropertyValue(p); err != nil {
			return err
		}
	}
	return nil
}

// clientID returns the client identifier to connect with: -i, or -I with
// the process id appended, or empty (the broker assigns one).
func (c *clientConfig) clientID() string {
	if c.idPrefix != "" {
		return c.idPrefix + strconv.Itoa(os.Getpid())
	}
	return c.id
}
