// Package e2e runs the pigeon binary as a user would: two processes that call
// each other through FIFOs, and the mistakes a user makes.
package e2e

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
)

var pigeonBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pigeon-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pigeonBin = filepath.Join(dir, "pigeon")
	build := exec.Command("go", "build", "-o", pigeonBin, "..")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building pigeon:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := writeHostileTable(); err != nil {
			fmt.Fprintln(os.Stderr, "writing the table of attacks:", err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running pigeon with its streams.
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	return startIn(t, "", args...)
}

// startIn starts pigeon in the network namespace netns, made with "ip netns
// add"; "" is this process's own.
func startIn(t *testing.T, netns string, args ...string) *proc {
	t.Helper()
	return startWith(t, netns, nil, args...)
}

// startWith starts pigeon in netns with env added to its environment.
func startWith(t *testing.T, netns string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(pigeonBin, args...)
	if netns != "" {
		// ip netns exec enters the namespace and execs pigeon in its
		// place: killing the process kills pigeon.
		cmd = exec.Command("ip", append([]string{"netns", "exec", netns, pigeonBin}, args...)...)
	}
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	p := &proc{
		cmd:    cmd,
		stdout: &syncBuffer{},
		stderr: &syncBuffer{},
		done:   make(chan struct{}),
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s stderr:\n%s", strings.Join(args[:1], " "), p.stderr)
		}
	})
	return p
}

// exit waits for the process to end and returns its exit code.
func (p *proc) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("%s still running after %v; stderr:\n%s", strings.Join(p.cmd.Args[1:], " "), within, p.stderr)
	}
	var exitErr *exec.ExitError
	if errors.As(p.err, &exitErr) {
		return exitErr.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// mkfifo makes a FIFO at path, for a code to pass between two pigeons, and
// returns path.
func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mkdir makes the directory path and returns it.
func mkdir(t *testing.T, path string) string {
	t.Helper()
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// randomFile writes size random bytes to path and returns them.
func randomFile(t *testing.T, path string, size int) []byte {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}

func waitOutput(t *testing.T, what string, b *syncBuffer, want string) {
	t.Helper()
	waitOutputWithin(t, 20*time.Second, what, b, want)
}

// waitOutputWithin is waitOutput for what may take longer than most: a
// code read in parts, say, on a machine other work slows down.
func waitOutputWithin(t *testing.T, d time.Duration, what string, b *syncBuffer, want string) {
	t.Helper()
	if !b.waitFor(d, func(text string) bool { return strings.Contains(text, want) }) {
		t.Fatalf("%s: %q never appeared in:\n%s", what, want, b)
	}
}

// receivingLine is a line of /stats about a track that arrives: its kind,
// how many video frames or audio packets have come, and how many of the
// frames were decoded.
var receivingLine = regexp.MustCompile(`pigeon: receiving (video|audio) [^:\n]*: (\d+) (?:frames|packets)(?: \(\d+ keyframes\), (\d+) decoded)?`)

// waitReceived asks p for /stats, again and again within 20 s, until what
// it says it received satisfies enough, and returns that: "video" frames,
// "audio" packets and "decoded" pictures.
func waitReceived(t *testing.T, p *proc, enough func(got map[string]int) bool) map[string]int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	got := map[string]int{}
	for time.Now().Before(deadline) {
		from := len(p.stderr.String())
		fmt.Fprintln(p.stdin, "/stats")
		if p.stderr.waitFor(500*time.Millisecond, func(text string) bool {
			for _, m := range receivingLine.FindAllStringSubmatch(text[from:], -1) {
				got[m[1]], _ = strconv.Atoi(m[2])
				if m[3] != "" {
					got["decoded"], _ = strconv.Atoi(m[3])
				}
			}
			return enough(got)
		}) {
			return got
		}
	}
	t.Fatalf("/stats never said enough was received; last it said %v:\n%s", got, p.stderr)
	return nil
}

// atLeast is a condition of waitReceived: frames of video and packets of
// audio or more.
func atLeast(frames, packets int) func(map[string]int) bool {
	return func(got map[string]int) bool { return got["video"] >= frames && got["audio"] >= packets }
}

func TestCallThroughFIFOs(t *testing.T) {
	dir := t.TempDir()
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	common := []string{"--video", "test", "--audio", "test", "--interface", "lo"}
	caller := start(t, append([]string{"call", "--signal-out", offer, "--signal-in", answer,
		"--record", filepath.Join(dir, "caller")}, common...)...)
	callee := start(t, append([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--record", filepath.Join(dir, "callee")}, common...)...)

	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
	fmt.Fprintln(caller.stdin, "hello from the caller")
	fmt.Fprintln(callee.stdin, "héllo ✓ from the callee")
	waitOutput(t, "callee's chat", callee.stdout, "hello from the caller\n")
	waitOutput(t, "caller's chat", caller.stdout, "héllo ✓ from the callee\n")

	// Both sides show the same safety number, from the live connection.
	numbers := [2]string{}
	for i, p := range []*proc{caller, callee} {
		waitOutput(t, "safety number", p.stderr, "safety number ")
		m := regexp.MustCompile(`safety number (\d{3} \d{3})`).FindStringSubmatch(p.stderr.String())
		if m == nil {
			t.Fatalf("no safety number in:\n%s", p.stderr)
		}
		numbers[i] = m[1]
	}
	if numbers[0] != numbers[1] {
		t.Errorf("safety numbers differ: %q and %q", numbers[0], numbers[1])
	}

	// Let media flow until each side has more than its recording must
	// hold, ask how the call goes, then hang up by ending the caller's
	// input.
	for _, p := range []*proc{caller, callee} {
		waitReceived(t, p, atLeast(20, 50))
	}
	fmt.Fprintln(caller.stdin, "/stats")
	waitOutput(t, "caller's /stats", caller.stderr, "pigeon: path: direct, udp 127.0.0.1:")
	waitOutput(t, "caller's /stats", caller.stderr, "pigeon: packets lost on the way here: ")
	waitOutput(t, "caller's /stats", caller.stderr, "pigeon: receiving video VP8 640x480: ")
	for _, want := range []string{
		`pigeon: round trip [0-9.]+(µs|ms|s); sending [0-9.]+ [kM]bit/s, receiving [0-9.]+ [kM]bit/s`,
		`pigeon: receiving video VP8 640x480: .*; now [0-9.]+ fps, [0-9.]+ [kM]bit/s`,
	} {
		if !regexp.MustCompile(want).MatchString(caller.stderr.String()) {
			t.Errorf("/stats printed no line like %q:\n%s", want, caller.stderr)
		}
	}
	fmt.Fprintln(caller.stdin, "/mute")
	waitOutput(t, "the callee told of the mute", callee.stderr, "pigeon: the peer's microphone is off")
	caller.stdin.Close()
	hungUp := time.Now()
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d, want 0; stderr:\n%s", code, callee.stderr)
	}
	if d := time.Since(hungUp); d > 3*time.Second {
		t.Errorf("callee took %v to end after the hang-up", d)
	}
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d, want 0; stderr:\n%s", code, caller.stderr)
	}
	if !strings.Contains(callee.stderr.String(), "the peer hung up") {
		t.Errorf("callee did not say the peer hung up:\n%s", callee.stderr)
	}

	for _, side := range []string{"caller", "callee"} {
		ivf, err := mediatest.DecodeIVF(filepath.Join(dir, side, render.VideoFile))
		if err != nil {
			t.Errorf("%s's video recording: %v", side, err)
		} else if ivf.Frames < 10 || ivf.Width != 640 || ivf.Height != 480 {
			t.Errorf("%s recorded %d frames of %dx%d, want at least 10 of 640x480", side, ivf.Frames, ivf.Width, ivf.Height)
		}
		ogg, err := mediatest.ReadOgg(filepath.Join(dir, side, render.AudioFile))
		if err != nil {
			t.Errorf("%s's audio recording: %v", side, err)
		} else if ogg.Pages < 25 || ogg.SampleRate != 48000 {
			t.Errorf("%s recorded %d Opus pages at %d Hz, want at least 25 at 48000", side, ogg.Pages, ogg.SampleRate)
		}
	}
}

func TestBadSignals(t *testing.T) {
	dir := t.TempDir()
	sdp := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
	answerCode, err := offline.Encode(offline.Signal{Kind: offline.Answer, SDP: sdp})
	if err != nil {
		t.Fatal(err)
	}
	offerCode, err := offline.Encode(offline.Signal{Kind: offline.Offer, SDP: sdp})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"an answer where an offer belongs", answerCode, "this is an answer, but an offer was expected"},
		{"a cut code", offerCode[:len(offerCode)/2], "incomplete"},
		{"a garbled code", offerCode[:20] + "#*!" + offerCode[23:], "copy it again"},
		{"no code at all", "", "no code"},
		{"not a code", "hello there\n", "not a pigeon code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(in, []byte(tt.input), 0o600); err != nil {
				t.Fatal(err)
			}
			p := start(t, "answer", "--video", "none", "--audio", "none", "--signal-in", in, "--signal-out", filepath.Join(dir, "out"))
			if code := p.exit(t, 10*time.Second); code != 2 {
				t.Fatalf("exit code %d, want 2; stderr:\n%s", code, p.stderr)
			}
			last := lastLine(p.stderr.String())
			if !strings.HasPrefix(last, "pigeon: ") || !strings.Contains(last, tt.want) {
				t.Errorf("last line %q, want a pigeon: line saying %q", last, tt.want)
			}
			if strings.Contains(p.stderr.String(), "goroutine ") {
				t.Errorf("a stack trace reached the user:\n%s", p.stderr)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"call", "--video", "webcam"},
		{"call", "--no-such-flag"},
		{"answer", "extra-argument"},
		{"call", "--turn", "turn:example.org"},
		{"call", "--stun", "http://example.org"},
	} {
		p := start(t, args...)
		if code := p.exit(t, 10*time.Second); code != 2 {
			t.Errorf("%v: exit code %d, want 2; stderr:\n%s", args, code, p.stderr)
		}
	}
}

func TestMissingDevices(t *testing.T) {
	devices := capture.Devices()
	has := func(kind string) bool {
		for _, d := range devices {
			if d.Kind == kind && d.Ready {
				return true
			}
		}
		return false
	}
	tests := []struct {
		kind string
		args []string
		flag string
	}{
		{capture.Camera, []string{"call", "--video", "camera", "--audio", "none"}, "--video test"},
		{capture.Mic, []string{"call", "--video", "none", "--audio", "mic"}, "--audio test"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			if has(tt.kind) {
				t.Skipf("this machine has a %s", tt.kind)
			}
			p := start(t, tt.args...)
			if code := p.exit(t, 10*time.Second); code != 3 {
				t.Fatalf("exit code %d, want 3; stderr:\n%s", code, p.stderr)
			}
			if last := lastLine(p.stderr.String()); !strings.Contains(last, tt.flag) {
				t.Errorf("message %q does not name %s", last, tt.flag)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	p := start(t, "version")
	if code := p.exit(t, 10*time.Second); code != 0 || !strings.HasPrefix(p.stdout.String(), "pigeon ") {
		t.Errorf("version: exit %d, output %q", code, p.stdout)
	}
	for _, args := range [][]string{{"--help"}, {"call", "--help"}, {"answer", "--help"}} {
		p := start(t, args...)
		if code := p.exit(t, 10*time.Second); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		out := p.stdout.String()
		if !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "Example") {
			t.Errorf("%v: help lacks examples or exit codes:\n%s", args, out)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// syncBuffer is a bytes.Buffer that a process writes while the test reads.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed and replaced at each write
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// wait returns what the buffer holds, and a channel closed at the next
// write.
func (s *syncBuffer) wait() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(chan struct{})
	}
	return s.b.String(), s.written
}

// waitFor waits, at most d, until what the buffer holds satisfies cond,
// looking again at each write, and reports whether it did.
func (s *syncBuffer) waitFor(d time.Duration, cond func(string) bool) bool {
	timeout := time.After(d)
	for {
		text, written := s.wait()
		if cond(text) {
			return true
		}
		select {
		case <-written:
		case <-timeout:
			return false
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
