package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

// restartCodeLine finds a restart code printed alone on a line.
var restartCodeLine = regexp.MustCompile(`(?m)^(pg3r\.[A-Za-z0-9_-]+)$`)

// waitRestartCode waits for the n-th restart code p prints, and returns it.
func waitRestartCode(t *testing.T, what string, p *proc, n int) string {
	t.Helper()
	var code string
	if !p.stderr.waitFor(20*time.Second, func(text string) bool {
		m := restartCodeLine.FindAllStringSubmatch(text, -1)
		if len(m) >= n {
			code = m[n-1][1]
		}
		return len(m) >= n
	}) {
		t.Fatalf("%s printed no restart code:\n%s", what, p.stderr)
	}
	return code
}

// TestRestartCodeInTheChat loses a call's path by stopping the callee's
// process: the caller says it is reconnecting, /restart prints a restart
// code, the callee takes it pasted alone into its chat and prints one back,
// and the caller takes that with /restart CODE. What was typed meanwhile
// arrives; a code of another call and a second /restart on a call that is
// up are refused, and nothing of them is sent as chat.
func TestRestartCodeInTheChat(t *testing.T) {
	dir := t.TempDir()
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	quiet := []string{"--speaker", "none", "--view", "none"}
	caller := start(t, args([]string{"call", "--signal-out", offer, "--signal-in", answer}, noMedia, quiet)...)
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer}, noMedia, quiet)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")

	fmt.Fprintln(caller.stdin, "/restart")
	waitOutput(t, "caller's /restart on a call that is up", caller.stderr, "/restart: the call is connected: no restart code is needed")

	if err := callee.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := true
	defer func() {
		if stopped {
			callee.cmd.Process.Signal(syscall.SIGCONT)
		}
	}()
	waitOutput(t, "caller", caller.stderr, "pigeon: peer not responding: reconnecting")
	if !strings.Contains(caller.stderr.String(), "/restart gives a code") {
		t.Errorf("the caller does not mention /restart when the peer stops responding:\n%s", caller.stderr)
	}
	fmt.Fprintln(caller.stdin, "typed while the path was gone")
	fmt.Fprintln(caller.stdin, "/restart")
	code := waitRestartCode(t, "the caller", caller, 1)
	waitOutput(t, "caller", caller.stderr, "to paste into their pigeon's chat")
	waitOutput(t, "caller", caller.stderr, "pigeon: this restart code reveals 127.0.0.1 (loopback)")

	callee.cmd.Process.Signal(syscall.SIGCONT)
	stopped = false
	// A restart code from another call first: refused, and not sent.
	other, err := offline.EncodeRestart(offline.Restart{Call: []byte{1, 2, 3, 4},
		Candidates: []string{"candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"}})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(callee.stdin, other)
	waitOutput(t, "callee", callee.stderr, "restart code refused: this restart code belongs to another call")
	fmt.Fprintln(callee.stdin, "  "+code+"  ")
	reply := waitRestartCode(t, "the callee", callee, 1)
	waitOutput(t, "callee", callee.stderr, "send this code back to your peer")
	waitOutput(t, "callee", callee.stderr, "pigeon: the peer's restart code points to 127.0.0.1:")
	fmt.Fprintln(caller.stdin, "/restart "+reply)
	waitOutput(t, "caller", caller.stderr, "restart code taken: reconnecting to the peer's new address")

	waitOutput(t, "callee's chat", callee.stdout, "typed while the path was gone\n")
	fmt.Fprintln(callee.stdin, "back again")
	waitOutput(t, "caller's chat", caller.stdout, "back again\n")
	for _, p := range []*proc{caller, callee} {
		if out := p.stdout.String(); strings.Contains(out, "pg3r.") || strings.Contains(out, "/restart") {
			t.Errorf("a restart code or command went out as chat:\n%s", out)
		}
	}
	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d; stderr:\n%s", code, caller.stderr)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d; stderr:\n%s", code, callee.stderr)
	}
}
