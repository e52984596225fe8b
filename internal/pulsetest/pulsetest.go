// Package pulsetest runs a PulseAudio server of a test's own, in user space:
// null sinks as speakers, whose monitors are microphones that hear them (a
// real echo path), and pipe sources as microphones that record what the test
// writes. Tests of capture, render and e2e share it.
package pulsetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/testenv"
)

// Rate is the sample rate of every sink and source the server makes: 48 kHz,
// pigeon's, so that nothing between the test and pigeon resamples.
const Rate = 48000

// Config says what the server has.
type Config struct {
	// Sinks are null sinks, by name: each plays into nothing in real time,
	// and its monitor, NAME.monitor, records what it plays. The first is
	// the default sink.
	Sinks []string
	// Pipes are pipe sources, by name: each records what the test writes to
	// its FIFO (Server.Pipe), as 16-bit mono samples at Rate.
	Pipes []string
	// Source is the default source: a pipe, or a sink's monitor; "" is the
	// first pipe, or else the first sink's monitor.
	Source string
}

// check refuses what pulseaudio would take and do otherwise: it renames a
// sink whose name is taken, and keeps its own default source when told of
// one that does not exist.
func (cfg Config) check() error {
	if len(cfg.Sinks) == 0 && len(cfg.Pipes) == 0 {
		return errors.New("pulsetest: a server needs a sink or a pipe")
	}
	seen := map[string]bool{}
	for _, name := range append(slices.Clone(cfg.Sinks), cfg.Pipes...) {
		if seen[name] || name == "" || strings.ContainsFunc(name, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
		}) {
			return fmt.Errorf("pulsetest: %q is a name taken twice, or not one of letters, digits, _ and -", name)
		}
		seen[name] = true
	}
	if cfg.Source != "" && !slices.Contains(cfg.Pipes, cfg.Source) &&
		!slices.Contains(cfg.Sinks, strings.TrimSuffix(cfg.Source, ".monitor")) {
		return fmt.Errorf("pulsetest: the default source %q is neither a pipe nor a sink's monitor", cfg.Source)
	}
	return nil
}

// Server is a running PulseAudio server.
type Server struct {
	// Address is the server's socket, as PULSE_SERVER takes it.
	Address string

	dir  string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{} // closed when the server has exited
	err  error         // how it exited, once done is closed

	stopOnce sync.Once

	mu   sync.Mutex
	recs []*Recording // to stop before the server
}

// pulseaudio is the program; setup.sh installs it with pulseaudio-utils,
// whose pacat and parec Play and Record run.
var tools = []string{"pulseaudio", "pacat", "parec"}

// Start starts a server for t, waits until it takes clients, and stops it
// when t ends. A machine without PulseAudio skips t, except in CI (CI set),
// where scripts/setup.sh has installed it and its absence is a failure.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	testenv.RequireTools(t, tools...)
	s, err := start(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stopping PulseAudio: %v\n%s", err, s.log.String())
		}
	})
	return s
}

func start(dir string, cfg Config) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	// The socket's path must fit a sockaddr_un (108 bytes); a test's
	// temporary directory can be longer.
	run, err := os.MkdirTemp("", "pulse")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: run, log: &syncBuffer{}, done: make(chan struct{})}
	socket := filepath.Join(run, "native")
	s.Address = "unix:" + socket

	var script strings.Builder
	script.WriteString(".fail\n") // a line that fails stops the server at start
	fmt.Fprintf(&script, "load-module module-native-protocol-unix socket=%s auth-anonymous=1\n", socket)
	for _, name := range cfg.Sinks {
		fmt.Fprintf(&script, "load-module module-null-sink sink_name=%s format=s16le rate=%d channels=1\n", name, Rate)
	}
	for _, name := range cfg.Pipes {
		// The module makes the FIFO, and removes it when it ends.
		fmt.Fprintf(&script, "load-module module-pipe-source source_name=%s file=%s format=s16le rate=%d channels=1\n",
			name, s.Pipe(name), Rate)
	}
	if len(cfg.Sinks) > 0 {
		fmt.Fprintf(&script, "set-default-sink %s\n", cfg.Sinks[0])
	}
	source := cfg.Source
	switch {
	case source != "":
	case len(cfg.Pipes) > 0:
		source = cfg.Pipes[0]
	default:
		source = cfg.Sinks[0] + ".monitor"
	}
	fmt.Fprintf(&script, "set-default-source %s\n", source)
	scriptPath := filepath.Join(dir, "default.pa")
	if err := os.WriteFile(scriptPath, []byte(script.String()), 0o600); err != nil {
		os.RemoveAll(run)
		return nil, err
	}

	// As root, pulseaudio warns that it is meant for --system, and runs
	// as a user's server all the same. It gets no real-time priority or
	// nice level: tests share the machine. -n loads only the script's
	// modules: no sound card, no D-Bus, no X11.
	s.cmd = exec.Command("pulseaudio", "--daemonize=no", "--system=false", "-n", "-F", scriptPath,
		"--exit-idle-time=-1", "--use-pid-file=no", "--realtime=no", "--high-priority=no",
		"--log-target=stderr", "--log-level=info")
	s.cmd.Env = append(os.Environ(),
		"HOME="+dir, "XDG_RUNTIME_DIR="+run, "PULSE_RUNTIME_PATH="+run,
		"PULSE_STATE_PATH="+filepath.Join(dir, "state"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		os.RemoveAll(run)
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(run)
		return nil, fmt.Errorf("pulsetest: starting pulseaudio: %w", err)
	}

	ready := make(chan struct{})
	go func() {
		// pulseaudio says when it has loaded its modules and listens.
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if !said && strings.Contains(line, "Daemon startup complete") {
				said = true
				close(ready)
			}
		}
		io.Copy(io.Discard, stderr)
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	select {
	case <-ready:
		return s, nil
	case <-s.done:
		os.RemoveAll(run)
		return nil, fmt.Errorf("pulsetest: pulseaudio exited at start (%v):\n%s", s.err, s.log.String())
	case <-time.After(20 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("pulsetest: pulseaudio did not start in 20 s:\n%s", s.log.String())
	}
}

// Env is what a process needs in its environment to use the server, as its
// only sound server.
func (s *Server) Env() []string {
	return []string{"PULSE_SERVER=" + s.Address, "XDG_RUNTIME_DIR=" + s.dir, "PULSE_RUNTIME_PATH=" + s.dir}
}

// Use points this process's sound at the server for the rest of t.
func (s *Server) Use(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Pipe is the FIFO of the pipe source named name.
func (s *Server) Pipe(name string) string { return filepath.Join(s.dir, name+".fifo") }

// Log is what the server has said so far.
func (s *Server) Log() string { return s.log.String() }

// Stop ends the server and waits for it to exit. It may be called more than
// once.
func (s *Server) Stop() error {
	var err error
	s.stopOnce.Do(func() {
		s.mu.Lock()
		recs := s.recs
		s.mu.Unlock()
		for _, r := range recs {
			r.Stop()
		}
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
			err = errors.New("pulseaudio did not end on SIGTERM in 10 s")
		}
		os.RemoveAll(s.dir)
	})
	return err
}

// Exited is closed once the server's process has ended.
func (s *Server) Exited() <-chan struct{} { return s.done }

// Write writes pcm (16-bit mono at Rate) to the pipe source named name, as
// WritePipe does.
func (s *Server) Write(ctx context.Context, name string, pcm []int16) error {
	return WritePipe(ctx, s.Pipe(name), pcm)
}

// WritePipe writes pcm (16-bit mono at Rate) to the FIFO of a pipe source,
// paced as a microphone records, a 10 ms block every 10 ms, since the source
// passes on what it reads at once. It returns when all is written, or ctx
// ends.
func WritePipe(ctx context.Context, fifo string, pcm []int16) error {
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	const block = Rate / 100
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for len(pcm) > 0 {
		n := min(block, len(pcm))
		if _, err := f.Write(int16Bytes(pcm[:n])); err != nil {
			return err
		}
		pcm = pcm[n:]
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Play plays pcm (16-bit mono at Rate) on the sink named name, as another
// program on the machine would (pacat), and returns when it has been
// played.
func (s *Server) Play(ctx context.Context, sink string, pcm []int16) error {
	cmd := exec.CommandContext(ctx, "pacat", "--playback", "--device="+sink, "--raw", "--format=s16le",
		fmt.Sprintf("--rate=%d", Rate), "--channels=1", "--latency-msec=20", "--client-name=pulsetest")
	cmd.Env = append(os.Environ(), s.Env()...)
	cmd.Stdin = bytes.NewReader(int16Bytes(pcm))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pacat: %w: %s", err, stderr.String())
	}
	return nil
}

// Recording is a source being recorded (parec) until Stop.
type Recording struct {
	// Started is when the recording began: its first sample was recorded
	// about then.
	Started time.Time

	cmd    *exec.Cmd
	out    syncBuffer
	stderr syncBuffer
	done   chan struct{} // closed when parec's stderr is closed

	stopOnce sync.Once
	stopErr  error
}

// Record starts recording the source named source (a pipe, or a sink's
// monitor), 16-bit mono at Rate, and returns once the recording runs. The
// server's Stop stops it if the test has not.
func (s *Server) Record(source string) (*Recording, error) {
	r := &Recording{done: make(chan struct{})}
	r.cmd = exec.Command("parec", "--verbose", "--device="+source, "--raw", "--format=s16le",
		fmt.Sprintf("--rate=%d", Rate), "--channels=1", "--latency-msec=10", "--client-name=pulsetest")
	r.cmd.Env = append(os.Environ(), s.Env()...)
	r.cmd.Stdout = &r.out
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("parec: %w", err)
	}
	connected := make(chan struct{})
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			line := sc.Text()
			if !said {
				r.stderr.WriteString(line + "\n")
			}
			if !said && strings.HasPrefix(line, "Connected to device") {
				said = true
				close(connected)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case <-connected:
		r.Started = time.Now()
		s.mu.Lock()
		s.recs = append(s.recs, r)
		s.mu.Unlock()
		return r, nil
	case <-r.done:
		r.cmd.Wait()
		return nil, fmt.Errorf("parec ended before it recorded: %s", r.stderr.String())
	}
}

// Stop ends the recording and returns what it recorded. It may be called
// more than once.
func (r *Recording) Stop() ([]int16, error) {
	r.stopOnce.Do(func() {
		r.cmd.Process.Signal(syscall.SIGTERM)
		<-r.done
		if err := r.cmd.Wait(); err != nil {
			r.stopErr = fmt.Errorf("parec: %w: %s", err, r.stderr.String())
		}
	})
	if r.stopErr != nil {
		return nil, r.stopErr
	}
	return r.Recorded(), nil
}

// Recorded is what has been recorded so far.
func (r *Recording) Recorded() []int16 {
	b := r.out.Bytes()
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

func int16Bytes(pcm []int16) []byte {
	b := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// syncBuffer is a bytes.Buffer safe from two goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes is a copy of what was written.
func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
