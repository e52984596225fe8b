package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

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
		if err := web.WriteFile(opts.Out); err != nil {
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
	srv, err := web.Listen(web.ServerOptions{Listen: opts.Listen, TLS: opts.TLS, CertFile: opts.TLSCert, InsecureLAN: opts.InsecureLAN, Now: opts.Now})
	if errors.Is(err, web.ErrListen) || errors.Is(err, web.ErrPlainLAN) {
		return usageError{fmt.Errorf("--listen %s: %w", cmp.Or(opts.Listen, `""`), err)}
	}
	if err != nil {
		return err
	}
	if opts.TLS {
		sayCertificate(opts.IO.ErrOut, srv.Cert)
	}
	for _, u := range srv.URLs {
		fmt.Fprintln(opts.IO.Out, u)
	}
	if opts.IO.ErrTTY && len(srv.URLs) > 0 {
		// The last address is the one a phone on the LAN can reach, when
		// there is one.
		_ = offline.WriteQR(opts.IO.ErrOut, srv.URLs[len(srv.URLs)-1])
	}
	if srv.PlainLAN {
		fmt.Fprintln(opts.IO.ErrOut, "pigeon: WARNING: serving plain http on the LAN (--insecure-lan): anyone who can change this network's traffic "+
			"can change the page and take over the call, safety number included; and a browser on another device gets no camera or microphone")
	}
	fmt.Fprintln(opts.IO.ErrOut, "pigeon: serving the call page; Ctrl-C stops")
	if opts.ready != nil {
		opts.ready(srv.Addr)
	}
	return srv.Serve(ctx)
}

// sayCertificate says what a person needs to check the page's certificate.
func sayCertificate(w io.Writer, cert web.Kept) {
	switch {
	case cert.Renewed:
		fmt.Fprintf(w, "pigeon: the page's certificate in %s had expired: made a new one, with a new fingerprint\n", cert.Path)
	case cert.Made:
		fmt.Fprintf(w, "pigeon: made a certificate for the page in %s: it stays the same from run to run, so check its fingerprint once\n", cert.Path)
	}
	fmt.Fprintf(w, "pigeon: the certificate is self-signed, so the browser warns about it; "+
		"go on only if the SHA-256 fingerprint it shows is\n  %s\n", cert.Fingerprint)
	if len(cert.Unnamed) > 0 {
		fmt.Fprintf(w, "pigeon: the certificate does not name %s (it was made for the addresses of the time): "+
			"browsers warn about the name too; delete %s to make one for these (its fingerprint changes)\n", strings.Join(cert.Unnamed, ", "), cert.Path)
	}
}
