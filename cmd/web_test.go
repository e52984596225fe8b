package cmd

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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

func TestPageURLs(t *testing.T) {
	if got := pageURLs(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8470}); len(got) != 1 || got[0] != "http://127.0.0.1:8470/" {
		t.Errorf("pageURLs(127.0.0.1:8470) = %q", got)
	}
	got := pageURLs(&net.TCPAddr{IP: net.IPv4zero, Port: 8470})
	if len(got) == 0 || got[0] != "http://127.0.0.1:8470/" {
		t.Errorf("pageURLs(0.0.0.0:8470) = %q, want loopback first", got)
	}
}
