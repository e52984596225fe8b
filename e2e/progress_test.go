package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTransferProgressInTmux sends a few MiB from pigeon in a real terminal
// (tmux) and watches the screen while it goes: the progress is one line,
// redrawn in place, never more, and at the end the line saying the file
// was sent takes its place. With stdin on the terminal the line sits above
// the line being typed, which stays whole; with stdin a pipe it is the
// bottom row. The receiver, piped, says its progress in plain lines.
func TestTransferProgressInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("a transfer in tmux")
	}
	for _, tt := range []struct {
		name  string
		typed bool // stdin is the terminal: /send is typed in the line editor
	}{
		{"line editor", true},
		{"stdin piped", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "big.bin")
			data := randomFile(t, src, 8<<20)
			downloads := mkdir(t, filepath.Join(dir, "downloads"))
			offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
			common := "--video none --audio none --interface lo --view none --speaker none"
			command := fmt.Sprintf("%s call --signal-out %s --signal-in %s %s", pigeonBin, offer, answer, common)
			if !tt.typed {
				// The input ends at once: the call ends when the file is sent.
				command = fmt.Sprintf("%s --send %s </dev/null", command, src)
			}
			pane := startTmux(t, 100, 30, command+"; echo exit code $?; sleep 60")
			peer := start(t, append([]string{"answer", "--signal-in", offer, "--signal-out", answer,
				"--accept-files", "--download-dir", downloads}, strings.Fields(common)...)...)
			waitOutput(t, "the peer's chat", peer.stderr, "pigeon: chat open")
			if tt.typed {
				pane.waitFor("the prompt", func(l []string) bool { return last(l) == ">" })
				pane.typ("/send " + src)
				pane.run("send-keys", "Enter")
				pane.typ("half a li")
			}

			progress := regexp.MustCompile(`^pigeon: sending big\.bin: .* of 8\.0 MiB \(\d+%\)`)
			sent := "pigeon: sent big.bin (8.0 MiB, sha256 "
			seen := 0          // screens with the progress line
			var shown []string // the progress lines seen, each once
			deadline := time.Now().Add(60 * time.Second)
			for {
				lines := pane.lines()
				var at []int
				for i, l := range lines {
					if progress.MatchString(l) {
						at = append(at, i)
					}
				}
				if len(at) > 1 {
					t.Fatalf("%d progress lines on the screen, want one:\n%s", len(at), strings.Join(lines, "\n"))
				}
				if len(at) == 1 {
					seen++
					if len(shown) == 0 || shown[len(shown)-1] != lines[at[0]] {
						shown = append(shown, lines[at[0]])
					}
					if tt.typed && (at[0] != len(lines)-2 || !strings.HasPrefix(last(lines), ">")) {
						t.Fatalf("the progress line is not just above the line being typed:\n%s", strings.Join(lines, "\n"))
					}
				}
				if strings.Contains(strings.Join(lines, "\n"), sent) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the file was not sent within 60 s:\n%s", strings.Join(lines, "\n"))
				}
				time.Sleep(20 * time.Millisecond)
			}
			if seen == 0 {
				t.Error("the progress line was never on the screen while the file was sent")
			}
			t.Logf("the progress line was on %d screens; it showed\n%s", seen, strings.Join(shown, "\n"))

			lines := pane.lines()
			screen := strings.Join(lines, "\n")
			if n := strings.Count(screen, "pigeon: sending big.bin"); n != 0 {
				t.Errorf("%d progress lines left on the screen after the end, want none: the sent line in their place:\n%s", n, screen)
			}
			if n := strings.Count(screen, sent); n != 1 {
				t.Errorf("the sent line is %d times on the screen, want once:\n%s", n, screen)
			}
			if tt.typed {
				if last(lines) != "> half a li" || !strings.HasPrefix(lines[len(lines)-2], sent) {
					t.Errorf("want the sent line just above the line being typed, whole:\n%s", screen)
				}
				pane.run("send-keys", "C-u", "C-d")
			}
			pane.waitFor("pigeon's exit", func(l []string) bool { return strings.Contains(strings.Join(l, "\n"), "exit code ") })
			if !strings.Contains(pane.screen(), "exit code 0") {
				t.Errorf("pigeon did not exit with 0:\n%s", pane.screen())
			}
			if code := peer.exit(t, 10*time.Second); code != 0 {
				t.Errorf("the peer exited with %d", code)
			}
			// Piped, the receiver says its progress in lines, and the end.
			if !strings.Contains(peer.stderr.String(), "pigeon: receiving big.bin: 8.0 MiB of 8.0 MiB (100%)") {
				t.Errorf("the receiver's stderr has no plain line for the end of the transfer:\n%s", peer.stderr)
			}
			if got, err := os.ReadFile(filepath.Join(downloads, "big.bin")); err != nil || len(got) != len(data) {
				t.Errorf("the file did not arrive whole: %d bytes, %v", len(got), err)
			}
		})
	}
}
