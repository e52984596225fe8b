package cmd

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/web"
)

func TestWebOut(t *testing.T) {
	streams, _, errOut := testIO("")
	path := filepath.Join(t.TempDir(), "call.html")
	if code := Run([]string{"web", "--out", path}, streams); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errOut)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, web.Page()) {
		t.Fatalf("the file holds %d bytes (err %v), want the page", len(got), err)
	}
	if !strings.Contains(errOut.String(), path) {
		t.Errorf("pigeon did not say where the page went:\n%s", errOut)
	}
}

func TestWebServes(t *testing.T) {
	streams, out, _ := testIO("")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	opts := &WebOptions{IO: streams, Listen: "127.0.0.1:0", ready: func(a net.Addr) { addrs <- a }}
	done := make(chan error, 1)
	go func() { done <- webRun(ctx, opts) }()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("webRun ended: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the page was never served")
	}
	url := "http://" + addr.String() + "/"
	if !strings.Contains(out.String(), url) {
		t.Errorf("printed %q, want the URL %s", out, url)
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(body, web.Page()) {
		t.Errorf("GET %s: not the page", url)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("webRun: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("webRun did not stop with its context")
	}
}

// serveWeb runs webRun with opts until the test ends, and returns the
// address it serves at.
func serveWeb(t *testing.T, opts *WebOptions) net.Addr {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	opts.ready = func(a net.Addr) { addrs <- a }
	done := make(chan error, 1)
	go func() { done <- webRun(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("webRun: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("webRun did not stop with its context")
		}
	})
	select {
	case addr := <-addrs:
		return addr
	case err := <-done:
		t.Fatalf("webRun ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the page was never served")
	}
	return nil
}

// TestWebServesTLS: with --tls the page is served over https, with the
// certificate whose fingerprint pigeon printed and put in the URL; the
// certificate is kept, readable only by its owner, and the same at the
// next run, so that its fingerprint can be checked once and recognised.
func TestWebServesTLS(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "config", "web-tls.pem")
	var fingerprints []string
	for run := range 2 {
		streams, out, errOut := testIO("")
		addr := serveWeb(t, &WebOptions{IO: streams, Listen: "127.0.0.1:0", TLS: true, TLSCert: certFile})
		m := regexp.MustCompile(`(?m)^  ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$`).FindStringSubmatch(errOut.String())
		if m == nil {
			t.Fatalf("pigeon printed no fingerprint:\n%s", errOut)
		}
		fingerprints = append(fingerprints, m[1])
		if made := strings.Contains(errOut.String(), "made a certificate for the page in "+certFile); made != (run == 0) {
			t.Errorf("run %d: said it made a certificate: %v:\n%s", run, made, errOut)
		}
		url := "https://" + addr.String() + "/#sha256=" + strings.ReplaceAll(m[1], ":", "")
		if !strings.Contains(out.String(), url+"\n") {
			t.Errorf("printed %q, want the URL %s", out, url)
		}
		var seen string
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
			// What a person does at the browser's warning: compare the
			// fingerprint with the one pigeon printed.
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				seen = web.Fingerprint(tls.Certificate{Certificate: [][]byte{cs.PeerCertificates[0].Raw}})
				return nil
			},
		}}}
		res, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Equal(body, web.Page()) {
			t.Errorf("GET %s: not the page", url)
		}
		if seen != m[1] {
			t.Errorf("the server's certificate has fingerprint %s, pigeon printed %s", seen, m[1])
		}
	}
	if fingerprints[0] != fingerprints[1] {
		t.Errorf("the second run has the certificate %s, the first %s: it was not kept", fingerprints[1], fingerprints[0])
	}
	if info, err := os.Stat(certFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the kept certificate: %v, mode %v; want 0600", err, info.Mode())
	}

	// A key others may have read is refused.
	os.Chmod(certFile, 0o644)
	streams, _, errOut := testIO("")
	if code := Run([]string{"web", "--tls", "--listen", "127.0.0.1:0", "--tls-cert", certFile}, streams); code == 0 ||
		!strings.Contains(errOut.String(), "can be read by other users") {
		t.Errorf("a certificate others can read: exit code %d, stderr:\n%s", code, errOut)
	}
}

// TestWebPlainHTTPStaysHome: without --tls the page is served on loopback
// alone; asked for another address, pigeon refuses and says why, unless
// --insecure-lan says the person knows, and then it warns.
func TestWebPlainHTTPStaysHome(t *testing.T) {
	streams, out, _ := testIO("")
	addr := serveWeb(t, &WebOptions{IO: streams})
	if ip := addr.(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("served plain http at %s by default, want loopback", addr)
	}
	if lines := strings.Fields(out.String()); len(lines) != 1 || !strings.HasPrefix(lines[0], "http://127.0.0.1:") {
		t.Errorf("printed %q, want the loopback URL alone", out)
	}

	streams, _, errOut := testIO("")
	if code := Run([]string{"web", "--listen", ":0"}, streams); code != ExitBadInput ||
		!strings.Contains(errOut.String(), "take over the call, safety number included: add --tls") {
		t.Errorf("plain http on every address: exit code %d, stderr:\n%s", code, errOut)
	}

	streams, _, errOut = testIO("")
	addr = serveWeb(t, &WebOptions{IO: streams, Listen: ":0", InsecureLAN: true})
	if !addr.(*net.TCPAddr).IP.IsUnspecified() || !strings.Contains(errOut.String(), "WARNING: serving plain http on the LAN") {
		t.Errorf("--insecure-lan served at %s and said:\n%s", addr, errOut)
	}
}

func TestWebListenTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	streams, _, errOut := testIO("")
	if code := Run([]string{"web", "--listen", ln.Addr().String()}, streams); code != ExitBadInput {
		t.Errorf("exit code %d for an address in use, want %d", code, ExitBadInput)
	}
	if lines := strings.Split(strings.TrimSpace(errOut.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "--listen") {
		t.Errorf("want one line about --listen, got:\n%s", errOut)
	}
}
