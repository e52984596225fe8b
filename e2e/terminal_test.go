package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render/picture"
)

// TestTerminalCallInTmux answers a call in a real terminal emulator, tmux,
// as a person on an SSH session would: the peer's test pattern appears in
// half-blocks, the chat reaches the screen, a resized terminal gets a
// picture of its new size, and after the hang-up the terminal is as it was.
func TestTerminalCallInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("a call in tmux")
	}
	mediatest.RequireTools(t, "tmux")
	dir := t.TempDir()
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	common := "--video test --audio test --interface lo --speaker none"
	pane := fmt.Sprintf("%s answer %s --view terminal --signal-in %s --signal-out %s 2>%s; echo exited $?; sleep 60",
		pigeonBin, common, offer, answer, filepath.Join(dir, "stderr"))
	tmux("new-session", "-d", "-x", "100", "-y", "30", "env", "TERM=tmux-256color", "COLORTERM=truecolor", "sh", "-c", pane)
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()
	defer func() {
		if t.Failed() {
			stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
			t.Logf("the pane:\n%s\npigeon's stderr:\n%s", tmux("capture-pane", "-p"), stderr)
		}
	}()
	caller := start(t, append([]string{"call", "--view", "none", "--signal-out", offer, "--signal-in", answer},
		strings.Fields(common)...)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")

	bars := testBarColours(t)
	// shows waits until the pane, width columns wide, shows the seven bars
	// in order on some row, and returns that row.
	shows := func(what string, width int) int {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			lines := strings.Split(tmux("capture-pane", "-p", "-e"), "\n")
			for i, line := range lines {
				row := halfBlockColours(line)
				if len(row) > width/2 && inOrder(row, bars) {
					return i
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the test pattern never appeared in the pane", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	shows("the call", 100)

	fmt.Fprintln(caller.stdin, "hello, terminal")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(tmux("capture-pane", "-p"), "hello, terminal") {
		if time.Now().After(deadline) {
			t.Fatal("the caller's message never reached the screen")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A smaller terminal gets a smaller picture, drawn within its width.
	tmux("resize-window", "-x", "60", "-y", "20")
	row := shows("after the resize", 60)
	if lines := strings.Split(tmux("capture-pane", "-p", "-e"), "\n"); len(halfBlockColours(lines[row])) > 60 {
		t.Errorf("row %d has more than 60 half-blocks after the resize to 60 columns", row)
	}

	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d, want 0", code)
	}
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(tmux("capture-pane", "-p"), "exited ") {
		if time.Now().After(deadline) {
			t.Fatal("the callee did not end after the hang-up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m := regexp.MustCompile(`exited (\d+)`).FindStringSubmatch(tmux("capture-pane", "-p")); m[1] != "0" {
		t.Errorf("the callee exited with %s, want 0", m[1])
	}
	// The terminal is given back whole: the cursor shown, scrolling over
	// all its rows, the picture gone.
	state := strings.Fields(tmux("display-message", "-p", "#{cursor_flag} #{scroll_region_upper} #{scroll_region_lower} #{pane_height}"))
	if state[0] != "1" {
		t.Error("the cursor is still hidden after the call")
	}
	if state[1] != "0" || state[2] != strconv.Itoa(mustAtoi(t, state[3])-1) {
		t.Errorf("the scrolling region is rows %s-%s of %s after the call, want all of them", state[1], state[2], state[3])
	}
	for _, line := range strings.Split(tmux("capture-pane", "-p", "-e"), "\n") {
		if len(halfBlockColours(line)) > 0 {
			t.Fatalf("the picture is still on the screen after the call: %q", line)
		}
	}
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testBarColours are the test pattern's seven bars in RGB.
func testBarColours(t *testing.T) [][3]uint8 {
	src := capture.NewTestVideo(700, 40, 1000)
	defer src.Close()
	img, _, err := src.Read()
	if err != nil {
		t.Fatal(err)
	}
	var bars [][3]uint8
	for i := range 7 {
		c := picture.Color(img, 50+100*i, 30) // below the time stamp, clear of the stripe at first
		bars = append(bars, [3]uint8{c.R, c.G, c.B})
	}
	return bars
}

// inOrder reports whether row shows each of bars, left to right: the
// moving stripe hides a part of a bar at most.
func inOrder(row, bars [][3]uint8) bool {
	next := 0
	for _, c := range row {
		if next < len(bars) && nearColour(c, bars[next], 24) {
			next++
		}
	}
	return next == len(bars)
}

func nearColour(a, b [3]uint8, tol int) bool {
	for i := range a {
		if d := int(a[i]) - int(b[i]); d > tol || d < -tol {
			return false
		}
	}
	return true
}

var sgr = regexp.MustCompile(`^\x1b\[([0-9;]*)m`)

// halfBlockColours lists the foreground colour of each ▀ in a line that
// tmux capture-pane -e printed.
func halfBlockColours(line string) [][3]uint8 {
	var out [][3]uint8
	var fg [3]uint8
	for len(line) > 0 {
		if m := sgr.FindStringSubmatch(line); m != nil {
			p := strings.Split(m[1], ";")
			for i := 0; i+4 < len(p); i++ {
				if p[i] == "38" && p[i+1] == "2" {
					r, _ := strconv.Atoi(p[i+2])
					g, _ := strconv.Atoi(p[i+3])
					b, _ := strconv.Atoi(p[i+4])
					fg = [3]uint8{uint8(r), uint8(g), uint8(b)}
				}
			}
			line = line[len(m[0]):]
			continue
		}
		r := []rune(line)[0]
		if r == '▀' {
			out = append(out, fg)
		}
		line = line[len(string(r)):]
	}
	return out
}
