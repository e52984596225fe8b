package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/testenv"
)

// tmuxPane runs a command in a terminal of its own, in a tmux server the
// test starts, and reads the screen back as a person would see it.
type tmuxPane struct {
	t    *testing.T
	sock string
}

func startTmux(t *testing.T, cols, rows int, command string) *tmuxPane {
	t.Helper()
	testenv.RequireTools(t, "tmux")
	p := &tmuxPane{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	p.run("new-session", "-d", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), command)
	t.Cleanup(func() { exec.Command("tmux", "-S", p.sock, "kill-server").Run() })
	return p
}

func (p *tmuxPane) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", p.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// screen is the pane's text, without trailing blank lines.
func (p *tmuxPane) screen() string {
	return strings.TrimRight(p.run("capture-pane", "-p"), "\n ")
}

// lines are the screen's lines, each without trailing spaces.
func (p *tmuxPane) lines() []string {
	lines := strings.Split(p.screen(), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return lines
}

// waitFor waits until cond holds of the screen's lines.
func (p *tmuxPane) waitFor(what string, cond func([]string) bool) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond(p.lines()) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: not on the screen within 20 s; it shows:\n%s", what, p.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *tmuxPane) cursor() (col, row int) {
	var x, y int
	fmt.Sscanf(p.run("display-message", "-p", "#{cursor_x} #{cursor_y}"), "%d %d", &x, &y)
	return x, y
}

// type sends text to the pane as keystrokes.
func (p *tmuxPane) typ(text string) { p.run("send-keys", "-l", text) }

func last(lines []string) string { return lines[len(lines)-1] }

// TestChatLineSurvivesIncomingMessages runs pigeon in a real terminal
// (tmux), types half a line, has the peer send a message, and checks that
// the message appears above while the half line stays whole at the bottom;
// then finishes the line and checks that the peer got it whole.
func TestChatLineSurvivesIncomingMessages(t *testing.T) {
	dir := t.TempDir()
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	common := "--video none --audio none --interface lo --view none --speaker none"
	pane := startTmux(t, 90, 20, fmt.Sprintf("%s call --name alice --signal-out %s --signal-in %s %s; echo exit code $?; sleep 60",
		pigeonBin, offer, answer, common))
	peer := start(t, append([]string{"answer", "--name", "bob", "--signal-in", offer, "--signal-out", answer}, strings.Fields(common)...)...)

	pane.waitFor("the chat open", func(l []string) bool { return strings.Contains(strings.Join(l, "\n"), "pigeon: chat open") })
	waitOutput(t, "the peer's chat", peer.stderr, "pigeon: chat open")
	pane.waitFor("the peer's name", func(l []string) bool { return strings.Contains(strings.Join(l, "\n"), "the peer's name is bob") })
	waitOutput(t, "the peer told the name", peer.stderr, "pigeon: the peer's name is alice")

	pane.typ("half a li")
	pane.waitFor("the half line at the bottom", func(l []string) bool { return last(l) == "> half a li" })
	fmt.Fprintln(peer.stdin, "hello from bob, with ünïcödé and 日本語")
	pane.waitFor("the peer's message", func(l []string) bool {
		return len(l) >= 2 && regexp.MustCompile(`^\d\d:\d\d bob: hello from bob, with ünïcödé and 日本語$`).MatchString(l[len(l)-2])
	})
	if got := last(pane.lines()); got != "> half a li" {
		t.Errorf("the bottom row is %q after the message, want the half line intact:\n%s", got, pane.screen())
	}
	if col, _ := pane.cursor(); col != len("> half a li") {
		t.Errorf("the cursor is in column %d, want %d, after the half line", col, len("> half a li"))
	}

	pane.typ("ne")
	pane.run("send-keys", "Enter")
	waitOutput(t, "the peer's chat", peer.stdout, "half a line\n")
	if got := peer.stdout.String(); got != "half a line\n" {
		t.Errorf("the peer's output is %q, want the line whole and alone", got)
	}
	pane.waitFor("the sent line shown", func(l []string) bool {
		return len(l) >= 2 && regexp.MustCompile(`^\d\d:\d\d alice: half a line$`).MatchString(l[len(l)-2]) && last(l) == ">"
	})

	// Ctrl-D on the empty line hangs up; the terminal gets its line mode
	// back.
	pane.run("send-keys", "C-d")
	pane.waitFor("pigeon's exit", func(l []string) bool { return strings.Contains(strings.Join(l, "\n"), "exit code ") })
	if !strings.Contains(pane.screen(), "exit code 0") {
		t.Errorf("pigeon did not exit with 0:\n%s", pane.screen())
	}
	if code := peer.exit(t, 10*time.Second); code != 0 {
		t.Errorf("the peer exited with %d", code)
	}
	for _, l := range pane.lines() {
		if l == ">" {
			t.Errorf("the prompt was left on the screen:\n%s", pane.screen())
		}
	}
}

// TestChatLineOnStderrWhenStdoutIsAFile keeps stdout in a file while stdin
// and stderr stay on the terminal: the line editor works on stderr, the
// lines typed are shown there and reach the peer, and the peer's messages
// go plainly to the file, one a line, and not onto the screen.
func TestChatLineOnStderrWhenStdoutIsAFile(t *testing.T) {
	dir := t.TempDir()
	offer, answer, out := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer")), filepath.Join(dir, "out.txt")
	common := "--video none --audio none --interface lo --view none --speaker none"
	pane := startTmux(t, 90, 20, fmt.Sprintf("%s call --name alice --signal-out %s --signal-in %s %s >%s; echo exit code $?; sleep 60",
		pigeonBin, offer, answer, common, out))
	peer := start(t, append([]string{"answer", "--name", "bob", "--signal-in", offer, "--signal-out", answer}, strings.Fields(common)...)...)

	pane.waitFor("the peer's name", func(l []string) bool { return strings.Contains(strings.Join(l, "\n"), "the peer's name is bob") })
	waitOutput(t, "the peer told the name", peer.stderr, "pigeon: the peer's name is alice")
	pane.typ("from alice")
	pane.waitFor("the line being typed at the bottom", func(l []string) bool { return last(l) == "> from alice" })
	pane.run("send-keys", "Enter")
	waitOutput(t, "the peer's chat", peer.stdout, "from alice\n")
	pane.waitFor("the sent line shown", func(l []string) bool {
		return len(l) >= 2 && regexp.MustCompile(`^\d\d:\d\d alice: from alice$`).MatchString(l[len(l)-2]) && last(l) == ">"
	})

	pane.typ("half")
	fmt.Fprintln(peer.stdin, "hello from bob, 日本語")
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, _ := os.ReadFile(out)
		if string(got) == "hello from bob, 日本語\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stdout holds %q, want the peer's message alone on a line", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	pane.waitFor("the half line at the bottom", func(l []string) bool { return last(l) == "> half" })
	if strings.Contains(pane.screen(), "hello from bob") {
		t.Errorf("the peer's message is on the screen, not only in stdout's file:\n%s", pane.screen())
	}

	pane.run("send-keys", "C-u", "C-d")
	pane.waitFor("pigeon's exit", func(l []string) bool { return strings.Contains(strings.Join(l, "\n"), "exit code ") })
	if !strings.Contains(pane.screen(), "exit code 0") {
		t.Errorf("pigeon did not exit with 0:\n%s", pane.screen())
	}
	if code := peer.exit(t, 10*time.Second); code != 0 {
		t.Errorf("the peer exited with %d", code)
	}
	if got, _ := os.ReadFile(out); string(got) != "hello from bob, 日本語\n" {
		t.Errorf("stdout holds %q at the end, want the peer's message alone", got)
	}
}
