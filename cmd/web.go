package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/web"
)

// WebOptions holds the flags of 'pigeon web'.
type WebOptions struct {
	IO     *IOStreams
	Listen string // the address to serve the page on
	Out    string // write the page to this file instead of serving it

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
and 'pigeon answer' do. The page reads full (pg1) and json codes; give
pigeon '--format full' when a browser is the peer.

pigeon prints the page's address; open it in a browser. Browsers give the
camera and microphone only to pages on localhost or HTTPS: on another
machine, save the page with --out and open the file instead.`,
		Example: `  pigeon web                      # serve on localhost
  pigeon web --listen :8470       # serve on every address of this machine
  pigeon web --out call.html      # write the page to a file
  pigeon call --format full       # then paste its code into the page`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return webRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "serve the page on this address (host:port; port 0 picks a free one)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the page to this file instead of serving it")
	return cmd
}

func webRun(ctx context.Context, opts *WebOptions) error {
	if opts.Out != "" {
		if err := os.WriteFile(opts.Out, web.Page(), 0o644); err != nil {
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
		return fmt.Errorf("serving the call page on %s: %w", opts.Listen, err)
	}
	srv := &http.Server{Handler: web.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	urls := pageURLs(ln.Addr().(*net.TCPAddr))
	for _, u := range urls {
		fmt.Fprintln(opts.IO.Out, u)
	}
	if opts.IO.ErrTTY && len(urls) > 0 {
		// The last address is the one a phone on the LAN can reach, when
		// there is one.
		_ = offline.WriteQR(opts.IO.ErrOut, urls[len(urls)-1])
	}
	fmt.Fprintln(opts.IO.ErrOut, "pigeon: serving the call page; Ctrl-C stops")
	if opts.ready != nil {
		opts.ready(ln.Addr())
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

// pageURLs lists the URLs that reach addr: itself, or for an unspecified
// address, loopback first and then each address of this machine's
// interfaces.
func pageURLs(addr *net.TCPAddr) []string {
	port := strconv.Itoa(addr.Port)
	url := func(ip net.IP) string { return "http://" + net.JoinHostPort(ip.String(), port) + "/" }
	if !addr.IP.IsUnspecified() {
		return []string{url(addr.IP)}
	}
	urls := []string{url(net.IPv4(127, 0, 0, 1))}
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return urls
	}
	for _, a := range ifaddrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || ipnet.IP.IsLoopback() || ipnet.IP.IsLinkLocalUnicast() || ipnet.IP.To4() == nil {
			continue
		}
		urls = append(urls, url(ipnet.IP))
	}
	return urls
}
