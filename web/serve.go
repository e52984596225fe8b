package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pigeon-call/pigeon/internal/private"
)

// Errors of Listen.
var (
	// ErrListen means the page cannot be served on the address asked for:
	// it is taken, or not this machine's.
	ErrListen = errors.New("cannot serve the page there")
	// ErrPlainLAN means plain HTTP was asked for on an address other
	// devices reach, without ServerOptions.InsecureLAN.
	ErrPlainLAN = errors.New("plain http where other devices reach it lets whoever can change this network's traffic " +
		"rewrite the page and take over the call, safety number included")
	// ErrNoConfigDir means there is no configuration directory to keep the
	// page's certificate in, and no ServerOptions.CertFile names a file.
	ErrNoConfigDir = errors.New("no configuration directory to keep the page's certificate in")
)

// ServerOptions say where and how a Server serves the page.
type ServerOptions struct {
	// Listen is the address (host:port) to serve on; "" for a free port on
	// loopback, or on every address with TLS.
	Listen string
	// TLS serves over HTTPS with a self-signed certificate kept in
	// CertFile, made on first use (LoadCertificate).
	TLS bool
	// CertFile keeps the certificate; "" for web-tls.pem in pigeon's
	// configuration directory.
	CertFile string
	// InsecureLAN allows plain HTTP on addresses other devices reach.
	InsecureLAN bool
	// Now is when the certificate is checked or made; time.Now when nil.
	Now func() time.Time
}

// Server is the call page, listening.
type Server struct {
	// Addr is where it listens, and URLs where a browser finds the page,
	// the one a phone on the LAN can reach last. With TLS each carries the
	// certificate's fingerprint in its fragment (PinnedURLs).
	Addr *net.TCPAddr
	URLs []string
	// PlainLAN says the page is served over plain HTTP where other devices
	// reach it (InsecureLAN).
	PlainLAN bool
	// With TLS, the certificate and what a person needs to check it.
	Cert Kept

	ln  net.Listener
	srv *http.Server
}

// Kept is the certificate a Server serves with, as LoadCertificate kept it.
type Kept struct {
	Path        string
	Fingerprint string   // as Fingerprint gives it: what the browser's warning shows
	Made        bool     // made on this run
	Renewed     bool     // made on this run in place of an expired one
	Unnamed     []string // the addresses it does not name, made for others
}

// Listen starts listening for the page as opts say; Serve serves it.
func Listen(opts ServerOptions) (*Server, error) {
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
		return nil, fmt.Errorf("%w: %w", ErrListen, err)
	}
	s := &Server{Addr: ln.Addr().(*net.TCPAddr), ln: ln}
	s.srv = &http.Server{Handler: Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.PlainLAN = !opts.TLS && !s.Addr.IP.IsLoopback()
	if s.PlainLAN && !opts.InsecureLAN {
		ln.Close()
		return nil, ErrPlainLAN
	}
	if !opts.TLS {
		s.URLs = URLs(s.Addr, "http")
		return s, nil
	}
	cert, err := s.keep(opts)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.ln = tls.NewListener(ln, s.srv.TLSConfig)
	s.URLs = PinnedURLs(s.Addr, cert)
	return s, nil
}

// keep loads the certificate opts.CertFile keeps, made on first use.
func (s *Server) keep(opts ServerOptions) (tls.Certificate, error) {
	path := opts.CertFile
	if path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("%w: %w", ErrNoConfigDir, err)
		}
		path = filepath.Join(dir, "pigeon", "web-tls.pem")
	}
	var hosts []string
	for _, ip := range Hosts(s.Addr) {
		hosts = append(hosts, ip.String())
	}
	hosts = append(hosts, "localhost")
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	_, statErr := os.Stat(path)
	cert, made, err := LoadCertificate(path, hosts, now())
	if err != nil {
		return tls.Certificate{}, err
	}
	s.Cert = Kept{Path: path, Fingerprint: Fingerprint(cert), Made: made, Renewed: made && statErr == nil, Unnamed: Unnamed(cert, hosts)}
	return cert, nil
}

// Serve serves the page until ctx ends, then shuts the server down,
// giving the requests under way a moment to finish.
func (s *Server) Serve(ctx context.Context) error {
	served := make(chan error, 1)
	go func() { served <- s.srv.Serve(s.ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving the call page: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// Close stops listening, for a Server that will not Serve.
func (s *Server) Close() error { return s.ln.Close() }

// WriteFile writes the call page to path, by the rules of every file
// pigeon writes: no link followed but to a FIFO or a device, mode 0600.
func WriteFile(path string) error {
	f, err := private.Create(path)
	if err != nil {
		return err
	}
	err = WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
