package main

import (
	"context"
	"os"

	"github.com/midge-mqtt/midge/client"
)

func init() {
	register(&command{name: "rr", summary: "MQTT 5 request/response (mosquitto_rr)", run: runRR})
}

const rrUsage = `midge rr publishes a request and prints the response (MQTT 5 request/response,
mosquitto_rr compatible).

Usage: midge rr {[-h host] [--unix path] [-p port] [-u username] [-P password] -t topic | -L URL}
                -e response-topic {-f file | -m message | -n | -s}
                [-c] [-k keepalive] [-q qos] [-x session-expiry] [-F format] [-N] [-W timeout]
                [-A bind_address] [-i id] [-I id_prefix] [-d] [--quiet] [-v] [--pretty]
                [--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                [{--cafile file | --capath dir} [--cert file] [--key file] [--insecure] [--tls-version version]]
                [-D command identifier value]
       midge rr --help

 -e : the response topic: subscribed to, and sent as the request's response-topic property.
 -t : the request topic.
 -W : exit with code 27 when no response arrives in this many seconds.
 -F, -N, -v : print the response as midge sub does.
`

func runRR(args []string) int {
	out := &toolOutput{stdout: os.Stdout, stderr: os.Stderr}
	cfg, code, ok := loadToolConfig(toolRR, args, out, rrUsage)
	if !ok {
		return code
	}
	out.quiet = cfg.quiet
	if cfg.topic == "" || cfg.mode == msgNone || cfg.responseTopic == "" {
		out.errorf("Error: All of topic, message, and response topic must be supplied.\n\nUse 'midge rr --help' to see usage.\n")
		return exitError
	}
	if cfg.version != 5 {
		out.errorf("Error: midge rr needs MQTT v5 (-V 5).\n")
		return exitError
	}
	payload, ok := loadPayload(cfg, out, msgStdinFile, msgStdinLine)
	if !ok {
		return exitError
	}
	props := client.PublishProperties{ResponseTopic: cfg.responseTopic}
	for _, p := range cfg.props {
		if p.command == "publish" {
			applyPublishProperty(&props, p)
		}
	}
	props.ResponseTopic = cfg.responseTopic
	cfg.topics = []string{cfg.responseTopic}
	request := func(ctx context.Context, cl *client.Client) error {
		return cl.Publish(ctx, &client.Message{Topic: cfg.topic, Payload: payload, QoS: cfg.qos, Retain: cfg.retain, Properties: props})
	}
	return subscribeAndPrint(cfg, out, request)
}
