package web

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"
)

// TestListenRefuses checks the addresses Listen will not serve on: plain
// http where other devices reach it, unless asked, and one that is taken.
func TestListenRefuses(t *testing.T) {
	if _, err := Listen(ServerOptions{Listen: ":0"}); !errors.Is(err, ErrPlainLAN) {
		t.Errorf("plain http on every address: %v, want ErrPlainLAN", err)
	}
	srv, err := Listen(ServerOptions{Listen: ":0", InsecureLAN: true})
	if err != nil {
		t.Fatal(err)
	}
	if !srv.PlainLAN {
		t.Error("--insecure-lan's server does not say it is plain http on the LAN")
	}
	srv.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := Listen(ServerOptions{Listen: ln.Addr().String()}); !errors.Is(err, ErrListen) {
		t.Errorf("an address in use: %v, want ErrListen", err)
	}
}

// TestListenKeepsCertificate checks that the certificate is made once,
// kept, and the same at the next Listen.
func TestListenKeepsCertificate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web-tls.pem")
	var kept []Kept
	for range 2 {
		srv, err := Listen(ServerOptions{Listen: "127.0.0.1:0", TLS: true, CertFile: path})
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, srv.Cert)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := srv.Serve(ctx); err != nil {
			t.Errorf("Serve after its context ended: %v", err)
		}
	}
	if !kept[0].Made || kept[1].Made || kept[0].Renewed {
		t.Errorf("made %v then %v (renewed %v), want made once, on first use", kept[0].Made, kept[1].Made, kept[0].Renewed)
	}
	if kept[0].Fingerprint == "" || kept[0].Fingerprint != kept[1].Fingerprint || kept[0].Path != path {
		t.Errorf("certificates %+v and %+v: want the same one, kept in %s", kept[0], kept[1], path)
	}
}
