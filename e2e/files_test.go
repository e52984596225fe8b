package e2e

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSendFileDuringACall sends a file with --send from the caller to a
// callee that accepts files, and checks it arrives whole under its name,
// with no .part file left behind.
func TestSendFileDuringACall(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 3<<20+12345)
	rand.Read(data)
	src := filepath.Join(dir, "holiday photos.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	downloads := filepath.Join(dir, "downloads")
	if err := os.Mkdir(downloads, 0o755); err != nil {
		t.Fatal(err)
	}
	offer, answer := filepath.Join(dir, "offer"), filepath.Join(dir, "answer")
	for _, f := range []string{offer, answer} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	common := []string{"--video", "none", "--audio", "none", "--interface", "lo", "--speaker", "none", "--view", "none"}
	caller := start(t, append([]string{"call", "--signal-out", offer, "--signal-in", answer, "--send", src}, common...)...)
	callee := start(t, append([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--accept-files", "--download-dir", downloads}, common...)...)

	// The end of the caller's input hangs up only once the file is sent.
	caller.stdin.Close()
	if code := caller.exit(t, 60*time.Second); code != 0 {
		t.Fatalf("caller exit code %d; stderr:\n%s", code, caller.stderr)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("callee exit code %d; stderr:\n%s", code, callee.stderr)
	}
	got, err := os.ReadFile(filepath.Join(downloads, "holiday photos.bin"))
	if err != nil {
		t.Fatalf("the file did not arrive: %v; callee stderr:\n%s", err, callee.stderr)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the received file differs from the one sent")
	}
	entries, _ := os.ReadDir(downloads)
	if len(entries) != 1 {
		t.Errorf("the download directory holds %d entries, want only the file", len(entries))
	}
}
