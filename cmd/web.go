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
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/web"
)

// WebOptions holds the flags of 'pigeon web'.
type WebOptions struct {
	IO     *IOStreams
	Listen string // the address to serve the page on
	Out    string // write the page to this file instead of serving it
	TLS    bool   // serve over HTTPS with a self-signed certificate

	// ready, when set, is told the server's address once it listens (for
	// tests).
	ready func(net.Addr)
}

// NewCmdWeb builds 'pigeon web'. runF replaces serving the page in tests.
func NewCmdWeb(io *IOStreams, runF func(context.Context, *WebOptions) error) *cobra.Command {
	opts := &WebOptions{IO: io}
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

pigeon prints the page's addresses, and draws the last one, which a phone on
the same network can reach, as a QR code. Browsers give the camera and the
microphone only to secure pages:

  http://127.0.0.1 (this machine)    camera and microphone
  http://<LAN address>               chat, and the other side's video and
                                     sound, but no camera or microphone
  https://<LAN address> (--tls)      camera and microphone, once the browser's
                                     warning about the self-signed certificate
                                     is passed: check that the fingerprint it
                                     shows is the one pigeon printed
  a file from --out (file://)        camera and microphone in Chromium (it
                                     asks, as for https); copy the file to the
                                     device and open it from there

The page sends nothing to this server once loaded: the call itself goes
straight between the two peers.`,
		Example: `  pigeon web                      # serve on this machine and the LAN, over http
  pigeon web --tls                # over https, so that a phone gets its camera
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
	f.StringVar(&opts.Listen, "listen", ":0", "serve the page on this address (host:port; port 0 picks a free one; no host: every address)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the page to this file instead of serving it")
	f.BoolVar(&opts.TLS, "tls", false, "serve over https with a self-signed certificate made at start, whose fingerprint pigeon prints")
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

	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return usageError{fmt.Errorf("--listen %s: %w: give another address or port", opts.Listen, err)}
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	srv := &http.Server{Handler: web.Handler(), ReadHeaderTimeout: 10 * time.Second}
	scheme := "http"
	if opts.TLS {
		scheme = "https"
		var hosts []string
		for _, ip := range web.Hosts(addr) {
			hosts = append(hosts, ip.String())
		}
		cert, err := web.SelfSigned(append(hosts, "localhost"), time.Now())
		if err != nil {
			return err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
		fmt.Fprintf(opts.IO.ErrOut, "pigeon: the certificate is self-signed, so the browser warns about it; "+
			"go on only if the SHA-256 fingerprint it shows is\n  %s\n", web.Fingerprint(cert))
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	urls := web.URLs(addr, scheme)
	for _, u := range urls {
		fmt.Fprintln(opts.IO.Out, u)
	}
	if opts.IO.ErrTTY && len(urls) > 0 {
		// The last address is the one a phone on the LAN can reach, when
		// there is one.
		_ = offline.WriteQR(opts.IO.ErrOut, urls[len(urls)-1])
	}
	if !opts.TLS && len(urls) > 1 {
		fmt.Fprintln(opts.IO.ErrOut, "pigeon: over plain http, a browser on another device gets no camera or microphone; "+
			"use --tls for https, or open a file written with --out")
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
