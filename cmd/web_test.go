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

// TestWebServesTLS: with --tls the page is served over https, with the
// certificate whose fingerprint pigeon printed.
func TestWebServesTLS(t *testing.T) {
	streams, out, errOut := testIO("")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	opts := &WebOptions{IO: streams, Listen: "127.0.0.1:0", TLS: true, ready: func(a net.Addr) { addrs <- a }}
	done := make(chan error, 1)
	go func() { done <- webRun(ctx, opts) }()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("webRun ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the page was never served")
	}
	url := "https://" + addr.String() + "/"
	if !strings.Contains(out.String(), url) {
		t.Errorf("printed %q, want the URL %s", out, url)
	}
	m := regexp.MustCompile(`(?m)^  ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$`).FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("pigeon printed no fingerprint:\n%s", errOut)
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
