package e2e

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

// TestAnswerScansTheOfferPicture: the callee reads the caller's offer from
// the PNG picture of its QR code (--qr-png), not from a paste, and the call
// comes up.
func TestAnswerScansTheOfferPicture(t *testing.T) {
	dir := t.TempDir()
	picture, offer, answer := filepath.Join(dir, "offer.png"), filepath.Join(dir, "offer.txt"), filepath.Join(dir, "answer")
	if err := syscall.Mkfifo(answer, 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--video", "test", "--audio", "none", "--view", "none", "--interface", "lo"}
	caller := start(t, append([]string{"call", "--qr-png", picture, "--signal-out", offer, "--signal-in", answer}, common...)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")

	callee := start(t, append([]string{"answer", "--scan-image", picture, "--signal-out", answer, "-v"}, common...)...)
	waitOutput(t, "callee", callee.stderr, "read the peer's offer")
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")

	caller.stdin.Close()
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d, want 0", code)
	}
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d, want 0", code)
	}
}

// TestBadScanImages: a picture with no code, the wrong kind of code, or no
// picture at all, each stops pigeon with a line that says so.
func TestBadScanImages(t *testing.T) {
	dir := t.TempDir()
	answerCode, err := offline.Encode(offline.Signal{Kind: offline.Answer, SDP: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"})
	if err != nil {
		t.Fatal(err)
	}
	wrongKind := filepath.Join(dir, "answer.png")
	f, err := os.Create(wrongKind)
	if err != nil {
		t.Fatal(err)
	}
	if err := offline.WriteQRPNG(f, answerCode, 4); err != nil {
		t.Fatal(err)
	}
	f.Close()
	blank := filepath.Join(dir, "blank.png")
	f, err = os.Create(blank)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 100, 100))); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name, picture string
		code          int
		want          string
	}{
		{"no code in the picture", blank, 2, "no QR code found in the picture"},
		{"an answer where an offer belongs", wrongKind, 2, "this is an answer, but an offer was expected"},
		{"no such file", filepath.Join(dir, "missing.png"), 2, "missing.png: no such file or directory: check the path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, "answer", "--video", "none", "--audio", "none", "--scan-image", tt.picture, "--signal-out", filepath.Join(dir, "out"))
			if code := p.exit(t, 10*time.Second); code != tt.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.code, p.stderr)
			}
			last := lastLine(p.stderr.String())
			if !strings.HasPrefix(last, "pigeon: ") || !strings.Contains(last, tt.want) {
				t.Errorf("last line %q, want a pigeon: line saying %q", last, tt.want)
			}
		})
	}
}
