package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// TLSOptions are mosquitto's client TLS flags.
type TLSOptions struct {
	CAFile     string // PEM bundle of trusted CAs
	CAPath     string // directory of PEM CA files
	CertFile   string // client certificate (with KeyFile)
	KeyFile    string
	Insecure   bool   // do not check the server's host name
	Version    string // "tlsv1.3", "tlsv1.2" or "tlsv1.1": the minimum
	ServerName string // host name to verify; defaults to the dialled host
	UseOSCerts bool   // trust the system roots as well
	ALPN       string
}

// TLSConfig builds a crypto/tls configuration from mosquitto-style
// options. With neither CAFile, CAPath nor UseOSCerts the system roots are
// used.
func TLSConfig(o TLSOptions) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: o.ServerName, MinVersion: tls.VersionTLS12}
	switch o.Version {
	case "", "tlsv1.2":
	case "tlsv1.3":
		cfg.MinVersion = tls.VersionTLS13
	case "tlsv1.1":
		cfg.MinVersion = tls.VersionTLS11
	default:
		return nil, fmt.Errorf("unknown TLS version %q", o.Version)
	}
	if o.CAFile != "" || o.CAPath != "" {
		pool := x509.NewCertPool()
		if o.UseOSCerts {
			if sys, err := x509.SystemCertPool(); err == nil {
				pool = sys
			}
		}
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, err
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("no certificate found in %s", o.CAFile)
			}
		}
		if o.CAPath != "" {
			files, err := filepath.Glob(filepath.Join(o.CAPath, "*"))
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				if pem, err := os.ReadFile(f); err == nil {
					pool.AppendCertsFromPEM(pem)
				}
			}
		}
		cfg.RootCAs = pool
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, errors.New("both certfile and keyfile are needed")
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if o.Insecure {
		// Like mosquitto's --insecure: the chain is still checked against
		// the CAs, only the host name is not.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("tls: server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		}
	}
	if o.ALPN != "" {
		cfg.NextProtos = []string{o.ALPN}
	}
	return cfg, nil
}
