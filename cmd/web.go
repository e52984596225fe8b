package cmd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/web"
)

// WebOptions holds the flags of 'pigeon web'.
type WebOptions struct {
	IO          *IOStreams
	Listen      string // the address to serve the page on; "" for loopback, or every address with TLS
	Out         string // write the page to this file instead of serving it
	TLS         bool   // serve over HTTPS with a kept self-signed certificate
	TLSCert     string // the file that keeps it; "" for web-tls.pem in pigeon's configuration directory
	InsecureLAN bool   // serve plain HTTP on addresses other devices reach
	Now         func() time.Time

	// ready, when set, is told the server's address once it listens (for
	// tests).
	ready func(net.Addr)
}

// NewCmdWeb builds 'pigeon web'. runF replaces serving the page in tests.
func NewCmdWeb(io *IOStreams, runF func(context.Context, *WebOptions) error) *cobra.Command {
	opts := &WebOptions{IO: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Serve a call page, so that any browser can call pigeon or another browser",
		Long: `Serve pigeon's call page: one self-contained page (no network needed but the
peer's) with which a browser starts or answers a call with pigeon's codes,
shows the other side's video, plays its sound, and chats, like 'pigeon call'
and 'pigeon answer' do. The page reads every form of code (compact, full,
json, and the text of their QR codes), shows its own as text and as a QR
code, and scans the other side's with the device's camera. A browser's own
code is always in the full form: the compact form carries only pigeon's
sessions.

Without --tls the page is served over plain http on this machine alone
(127.0.0.1): whoever can change the traffic of a network could rewrite a
page served over it, and so own the call, safety number included. With
--tls it is served over https on every address, with a self-signed
certificate that pigeon keeps (--tls-cert, made on first use, readable only
by you), so that its fingerprint stays the same from run to run: check it
once at the browser's warning. pigeon prints the fingerprint, and puts it in
the fragment of the URLs it prints (#sha256=...), and draws the last URL,
which a phone on the same network can reach, as a QR code. --insecure-lan
serves plain http on the LAN anyway.

Browsers give the camera and the microphone only to secure pages:

  http://127.0.0.1 (this machine)    camera and microphone
  https://<LAN address> (--tls)      camera and microphone, once the browser's
                                     warning about the self-signed certificate
                                     is passed: check that the fingerprint it
                                     shows is the one pigeon printed
  http://<LAN address>               (--insecure-lan) chat, and the other
                                     side's video and sound, but no camera or
                                     microphone; anyone on the network can
                                     change the page
  a file from --out (file://)        camera and microphone in Chromium (it
                                     asks, as for https); copy the file to the
                                     device and open it from there

The page sends nothing to this server once loaded: the call itself goes
straight between the two peers.`,
		Example: `  pigeon web                      # serve on this machine, over http
  pigeon web --tls                # on the LAN over https, so that a phone gets its camera
  pigeon web --listen 127.0.0.1:8470
  pigeon web --out call.html      # write the page to a file
  pigeon call                     # then paste or scan its code in the page`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return webRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "", "serve the page on this address (host:port; port 0 picks a free one; no host: every address) (default 127.0.0.1:0, or :0 with --tls)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the page to this file instead of serving it")
	f.BoolVar(&opts.TLS, "tls", false, "serve over https, on every address, with a self-signed certificate pigeon keeps, whose fingerprint it prints")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "keep the https certificate and its key in this file (made on first use, readable only by you) (default web-tls.pem in pigeon's configuration directory)")
	f.BoolVar(&opts.InsecureLAN, "insecure-lan", false, "serve plain http on addresses other devices reach: anyone who can change this network's traffic can change the page and take over the call")
	return cmd
}

func webRun(ctx context.Context, opts *WebOptions) error {
	if opts.Out != "" {
		if err := writePage(opts.Out); err != nil {
			return fmt.Errorf("writing the call page: %w", err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "pigeon: call page written to %s: open it in a browser\n", opts.Out)
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	listen := opts.Listen
	switch {
	case listen != "":
	case opts.TLS:
		listen = ":0"
	default:
		listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return usageError{fmt.Errorf("--listen %s: %w: give another address or port", listen, err)}
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	plainLAN := !opts.TLS && !addr.IP.IsLoopback()
	if plainLAN && !opts.InsecureLAN {
		return usageError{fmt.Errorf("--listen %s: plain http where other devices reach it lets whoever can change this network's traffic "+
			"rewrite the page and take over the call, safety number included: add --tls, or --insecure-lan to serve it so anyway", listen)}
	}
	srv := &http.Server{Handler: web.Handler(), ReadHeaderTimeout: 10 * time.Second}
	urls := web.URLs(addr, "http")
	if opts.TLS {
		cert, err := keptCertificate(opts, addr)
		if err != nil {
			return err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
		urls = web.PinnedURLs(addr, cert)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	for _, u := range urls {
		fmt.Fprintln(opts.IO.Out, u)
	}
	if opts.IO.ErrTTY && len(urls) > 0 {
		// The last address is the one a phone on the LAN can reach, when
		// there is one.
		_ = offline.WriteQR(opts.IO.ErrOut, urls[len(urls)-1])
	}
	if plainLAN {
		fmt.Fprintln(opts.IO.ErrOut, "pigeon: WARNING: serving plain http on the LAN (--insecure-lan): anyone who can change this network's traffic "+
			"can change the page and take over the call, safety number included; and a browser on another device gets no camera or microphone")
	}
	fmt.Fprintln(opts.IO.ErrOut, "pigeon: serving the call page; Ctrl-C stops")
	if opts.ready != nil {
		opts.ready(addr)
	}

	select {
	case err := <-served:
		return fmt.Errorf("serving the call page: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// keptCertificate loads the certificate --tls-cert keeps, made on first
// use, and says what a person needs to check it.
func keptCertificate(opts *WebOptions, addr *net.TCPAddr) (tls.Certificate, error) {
	path := opts.TLSCert
	if path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("finding where to keep the page's certificate: %w: give --tls-cert FILE", err)
		}
		path = filepath.Join(dir, "pigeon", "web-tls.pem")
	}
	var hosts []string
	for _, ip := range web.Hosts(addr) {
		hosts = append(hosts, ip.String())
	}
	hosts = append(hosts, "localhost")
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	_, statErr := os.Stat(path)
	cert, made, err := web.LoadCertificate(path, hosts, now())
	if err != nil {
		return tls.Certificate{}, err
	}
	errOut := opts.IO.ErrOut
	switch {
	case made && statErr == nil:
		fmt.Fprintf(errOut, "pigeon: the page's certificate in %s had expired: made a new one, with a new fingerprint\n", path)
	case made:
		fmt.Fprintf(errOut, "pigeon: made a certificate for the page in %s: it stays the same from run to run, so check its fingerprint once\n", path)
	}
	fmt.Fprintf(errOut, "pigeon: the certificate is self-signed, so the browser warns about it; "+
		"go on only if the SHA-256 fingerprint it shows is\n  %s\n", web.Fingerprint(cert))
	if unnamed := web.Unnamed(cert, hosts); len(unnamed) > 0 {
		fmt.Fprintf(errOut, "pigeon: the certificate does not name %s (it was made for the addresses of the time): "+
			"browsers warn about the name too; delete %s to make one for these (its fingerprint changes)\n", strings.Join(unnamed, ", "), path)
	}
	return cert, nil
}

// writePage writes the call page to path, by the rules of every file
// pigeon writes: no link followed but to a FIFO or a device, mode 0600.
func writePage(path string) error {
	f, err := private.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(web.Page())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
