package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSendFileDuringACall sends a file with --send from the caller to a
// callee that accepts files, and checks it arrives whole under its name,
// with no .part file left behind.
func TestSendFileDuringACall(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "holiday photos.bin")
	data := randomFile(t, src, 3<<20+12345)
	downloads := mkdir(t, filepath.Join(dir, "downloads"))
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
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

// TestSendAcceptAndDecline drives the chat's file commands as a person
// would: the receiver is asked about each /send, and only an answer given
// to that question counts; a declined file is not saved, an accepted one
// arrives whole, and a second file of the same name gets a name of its own.
func TestSendAcceptAndDecline(t *testing.T) {
	dir := t.TempDir()
	report, secret := filepath.Join(dir, "report.txt"), filepath.Join(dir, "secret.bin")
	reportData := []byte("the quarterly figures, ünïcödé ✓\n")
	if err := os.WriteFile(report, reportData, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte("not to be kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	downloads := mkdir(t, filepath.Join(dir, "downloads"))
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	common := []string{"--video", "none", "--audio", "none", "--interface", "lo", "--speaker", "none", "--view", "none"}
	caller := start(t, append([]string{"call", "--signal-out", offer, "--signal-in", answer}, common...)...)
	callee := start(t, append([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--download-dir", downloads}, common...)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")

	fmt.Fprintln(callee.stdin, "/help")
	waitOutput(t, "/help", callee.stderr, "/send PATH, /accept, /decline, /cancel, ")

	// An answer with no question is refused, and not kept for the next one.
	fmt.Fprintln(callee.stdin, "/accept")
	waitOutput(t, "the stray answer refused", callee.stderr, "pigeon: no file is waiting for an answer")
	fmt.Fprintln(caller.stdin, "/send "+secret)
	waitOutput(t, "the question", callee.stderr, "pigeon: the peer wants to send you secret.bin (14 B): type /accept or /decline")
	fmt.Fprintln(callee.stdin, "/decline")
	waitOutput(t, "the callee's refusal", callee.stderr, "pigeon: declined secret.bin")
	waitOutput(t, "the caller told", caller.stderr, "pigeon: sending "+secret+": the transfer was declined")

	for i, want := range []string{"report.txt", "report (1).txt"} {
		fmt.Fprintln(caller.stdin, "/send "+report)
		waitOutput(t, "the question", callee.stderr, "pigeon: the peer wants to send you report.txt")
		if !callee.stderr.waitFor(20*time.Second, func(text string) bool {
			return strings.Count(text, "the peer wants to send you report.txt") >= i+1
		}) {
			t.Fatalf("the callee was not asked about report.txt again:\n%s", callee.stderr)
		}
		fmt.Fprintln(callee.stdin, "/accept")
		waitOutput(t, "the file saved", callee.stderr, ": saved as "+filepath.Join(downloads, want)+" (")
		got, err := os.ReadFile(filepath.Join(downloads, want))
		if err != nil || !bytes.Equal(got, reportData) {
			t.Errorf("%s holds %q (%v), want what was sent", want, got, err)
		}
	}
	waitOutput(t, "the caller told", caller.stderr, "pigeon: sent report.txt (")

	fmt.Fprintln(caller.stdin, "/quit")
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d; stderr:\n%s", code, caller.stderr)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d; stderr:\n%s", code, callee.stderr)
	}
	var names []string
	entries, _ := os.ReadDir(downloads)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := "report (1).txt,report.txt"; strings.Join(names, ",") != want {
		t.Errorf("the download directory holds %q, want %q", names, want)
	}
}

// TestCancelATransfer starts sending a file far too big to arrive at once,
// cancels it with /cancel, and checks that both sides say so, that nothing
// is left in the download directory, and that the call goes on.
func TestCancelATransfer(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: quick to make and to read, slow to send over the call; under
	// --max-file-size and the free space of most disks, which the receiver
	// checks first.
	if err := f.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	downloads := mkdir(t, filepath.Join(dir, "downloads"))
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	common := []string{"--video", "none", "--audio", "none", "--interface", "lo", "--speaker", "none", "--view", "none"}
	caller := start(t, append([]string{"call", "--signal-out", offer, "--signal-in", answer}, common...)...)
	callee := start(t, append([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--accept-files", "--download-dir", downloads}, common...)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")

	fmt.Fprintln(callee.stdin, "/cancel")
	waitOutput(t, "nothing to cancel", callee.stderr, "pigeon: no transfer to cancel")

	fmt.Fprintln(caller.stdin, "/send "+big)
	waitOutput(t, "the transfer under way", callee.stderr, "pigeon: receiving big.bin: ")
	fmt.Fprintln(caller.stdin, "/cancel")
	waitOutput(t, "the sender's cancel", caller.stderr, "pigeon: sending "+big+": the transfer was cancelled")
	waitOutput(t, "the receiver told", callee.stderr, "pigeon: receiving a file: the peer cancelled the transfer; nothing was kept")
	if strings.Contains(callee.stderr.String(), "received big.bin") {
		t.Fatal("the whole file arrived before /cancel: the test needs a bigger file")
	}

	fmt.Fprintln(caller.stdin, "still here")
	waitOutput(t, "the chat after the cancel", callee.stdout, "still here\n")
	if entries, _ := os.ReadDir(downloads); len(entries) != 0 {
		t.Errorf("the download directory holds %d entries after the cancel, want none", len(entries))
	}
	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d; stderr:\n%s", code, caller.stderr)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d; stderr:\n%s", code, callee.stderr)
	}
}
