package web

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSelfSigned(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	cert, err := SelfSigned([]string{"127.0.0.1", "192.0.2.7", "localhost"}, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	// It verifies as its own root for each host it names, at the time it
	// was made, and not for any other.
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	for _, host := range []string{"127.0.0.1", "192.0.2.7", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, CurrentTime: now}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "192.0.2.8", Roots: roots, CurrentTime: now}); err == nil {
		t.Error("the certificate verifies for an address it does not name")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots, CurrentTime: now.Add(certificateLife + time.Hour)}); err == nil {
		t.Error("the certificate is still valid after its life")
	}

	sum := sha256.Sum256(cert.Certificate[0])
	want := strings.ToUpper(hex.EncodeToString(sum[:]))
	if got := strings.ReplaceAll(Fingerprint(cert), ":", ""); got != want || len(Fingerprint(cert)) != 95 {
		t.Errorf("Fingerprint = %s, want the SHA-256 of the certificate %s in colon-separated pairs", Fingerprint(cert), want)
	}
	other, err := SelfSigned([]string{"localhost"}, now)
	if err != nil || Fingerprint(other) == Fingerprint(cert) {
		t.Errorf("two certificates have the same fingerprint (%v)", err)
	}
}

func TestURLs(t *testing.T) {
	if got := URLs(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8470}, "http"); len(got) != 1 || got[0] != "http://127.0.0.1:8470/" {
		t.Errorf("URLs(127.0.0.1:8470) = %q", got)
	}
	got := URLs(&net.TCPAddr{IP: net.IPv4zero, Port: 8470}, "https")
	if len(got) == 0 || got[0] != "https://127.0.0.1:8470/" {
		t.Errorf("URLs(0.0.0.0:8470) = %q, want loopback first", got)
	}
	for _, u := range got[1:] {
		if !strings.HasPrefix(u, "https://") || strings.Contains(u, "127.0.0.1") {
			t.Errorf("URLs(0.0.0.0:8470) lists %q", u)
		}
	}
}

// TestLoadCertificate: the certificate is made once, kept with its key
// (mode 0600), and the same until it expires; then a new one takes its
// place. Unnamed says which addresses it does not name.
func TestLoadCertificate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pigeon", "web-tls.pem")
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	first, made, err := LoadCertificate(path, []string{"192.0.2.7", "localhost"}, now)
	if err != nil || !made {
		t.Fatalf("first load: made %v, %v", made, err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the kept file: %v, mode %v", err, info.Mode())
	}
	again, made, err := LoadCertificate(path, []string{"198.51.100.1"}, now.Add(300*24*time.Hour))
	if err != nil || made || Fingerprint(again) != Fingerprint(first) {
		t.Errorf("a later load: made %v (%v), fingerprint %s, want the first one %s", made, err, Fingerprint(again), Fingerprint(first))
	}
	if got := Unnamed(again, []string{"192.0.2.7", "198.51.100.1", "localhost"}); len(got) != 1 || got[0] != "198.51.100.1" {
		t.Errorf("Unnamed = %q, want the address it was not made for", got)
	}
	renewed, made, err := LoadCertificate(path, []string{"localhost"}, now.Add(certificateLife+time.Hour))
	if err != nil || !made || Fingerprint(renewed) == Fingerprint(first) {
		t.Errorf("after it expired: made %v (%v), fingerprint unchanged: %v", made, err, Fingerprint(renewed) == Fingerprint(first))
	}
	os.WriteFile(path, []byte("not a certificate"), 0o600)
	if _, _, err := LoadCertificate(path, nil, now); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("a damaged file: %v", err)
	}
}
