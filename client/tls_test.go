package client_test

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/midge-mqtt/midge/client"
	"github.com/midge-mqtt/midge/client/clienttest"
)

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	files := clienttest.WriteTestCerts(t, dir, "broker.test", "127.0.0.1")
	otherDir := t.TempDir()
	other := clienttest.WriteTestCerts(t, otherDir, "broker.test")
	forEachBroker(t, clienttest.Config{TLS: &files}, func(t *testing.T, b *clienttest.Broker) {
		addr := net.JoinHostPort(b.Host, strconv.Itoa(b.TLSPort))
		dialTLS := func(o client.TLSOptions) error {
			cfg, err := client.TLSConfig(o)
			if err != nil {
				return err
			}
			c, _, err := client.Dial(context.Background(), client.Options{Address: addr, TLS: cfg, CleanStart: true})
			if err == nil {
				ctx := ctxT(t)
				if _, err = c.Subscribe(ctx, []client.Subscription{{Filter: "tls/t", QoS: 1}}, 0, nil); err == nil {
					err = c.Publish(ctx, &client.Message{Topic: "tls/t", Payload: []byte("secret"), QoS: 1})
				}
				if err == nil && string(receive(t, c).Payload) != "secret" {
					t.Error("message over TLS lost")
				}
				c.Disconnect(nil)
			}
			return err
		}
		if err := dialTLS(client.TLSOptions{CAFile: files.CAFile, ServerName: "127.0.0.1"}); err != nil {
			t.Errorf("TLS with the right CA: %v", err)
		}
		if err := dialTLS(client.TLSOptions{CAPath: dir, ServerName: "broker.test", Version: "tlsv1.3"}); err != nil {
			t.Errorf("TLS 1.3 with --capath: %v", err)
		}
		if err := dialTLS(client.TLSOptions{CAFile: other.CAFile, ServerName: "127.0.0.1"}); err == nil {
			t.Error("a server certificate from another CA was accepted")
		}
		if err := dialTLS(client.TLSOptions{CAFile: files.CAFile, ServerName: "wrong.name"}); err == nil {
			t.Error("a certificate for another host name was accepted")
		}
		// --insecure skips the name check only: the chain is still verified.
		if err := dialTLS(client.TLSOptions{CAFile: files.CAFile, ServerName: "wrong.name", Insecure: true}); err != nil {
			t.Errorf("--insecure with the right CA: %v", err)
		}
		if err := dialTLS(client.TLSOptions{CAFile: other.CAFile, ServerName: "wrong.name", Insecure: true}); err == nil {
			t.Error("--insecure accepted a certificate from another CA")
		}
	})
}

// TestTLSClientCertificate: a listener that requires a client certificate
// accepts --cert/--key signed by its CA and refuses a client without one.
func TestTLSClientCertificate(t *testing.T) {
	files := clienttest.WriteTestCerts(t, t.TempDir(), "127.0.0.1")
	files.RequireClientCert = true
	forEachBroker(t, clienttest.Config{TLS: &files}, func(t *testing.T, b *clienttest.Broker) {
		addr := net.JoinHostPort(b.Host, strconv.Itoa(b.TLSPort))
		try := func(o client.TLSOptions) error {
			cfg, err := client.TLSConfig(o)
			if err != nil {
				return err
			}
			c, _, err := client.Dial(ctxT(t), client.Options{Address: addr, TLS: cfg, CleanStart: true})
			if err == nil {
				// TLS 1.3 reports a refused certificate on the first read.
				_, err = c.Subscribe(ctxT(t), []client.Subscription{{Filter: "x"}}, 0, nil)
				c.Close()
			}
			return err
		}
		if err := try(client.TLSOptions{CAFile: files.CAFile, CertFile: files.ClientCertFile, KeyFile: files.ClientKeyFile}); err != nil {
			t.Errorf("with a client certificate: %v", err)
		}
		if err := try(client.TLSOptions{CAFile: files.CAFile}); err == nil {
			t.Error("connected without the required client certificate")
		}
		if _, err := client.TLSConfig(client.TLSOptions{CAFile: files.CAFile, CertFile: files.ClientCertFile}); err == nil {
			t.Error("a certificate without its key was accepted")
		}
	})
}
