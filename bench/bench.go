// Package bench measures pigeon against a baseline built the way pion's
// examples build a call. Both run as two real processes that exchange their
// codes through FIFOs on loopback, with the same test sources; each figure
// comes from the processes' own timestamped traces and from the kernel's
// accounting of their CPU time and memory.
package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pigeon-call/pigeon/internal/trace"
)

// Impl is one implementation under test: a binary that takes pigeon's
// "call" and "answer" commands with --signal-in, --signal-out and --trace.
type Impl struct {
	Name string
	Bin  string
	Args []string // added for both roles
	Env  []string // added to the environment of both roles, as "KEY=value"
}

// Side is what one process of a call did.
type Side struct {
	Start   time.Time              // when the process was started
	Trace   map[string]trace.Event // its events, by name
	CPU     float64                // percent of one core over the measured window
	CPUTime time.Duration          // user and system time, over the whole process
	PeakRSS int64                  // bytes, over the whole process
	Stderr  string
}

// Call is one measured call.
type Call struct {
	Offer, Answer  string // the codes as they were exchanged
	Caller, Callee Side
}

// ErrNoCall means the two processes did not get a call up.
var ErrNoCall = errors.New("the call did not connect")

// clockTicks is USER_HZ, the unit of CPU times in /proc: 100 on Linux.
const clockTicks = 100

// process is a running side of a call.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr strings.Builder
	side   Side
	trace  string
}

func start(impl Impl, role, dir string, args ...string) (*process, error) {
	p := &process{trace: filepath.Join(dir, role+".jsonl")}
	all := append([]string{role}, impl.Args...)
	all = append(all, args...)
	all = append(all, "--trace", p.trace)
	p.cmd = exec.Command(impl.Bin, all...)
	p.cmd.Env = append(os.Environ(), impl.Env...)
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	p.side.Start = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s %s: %w", impl.Name, role, err)
	}
	return p, nil
}

// cpuTicks reads the process's user and system time from /proc.
func (p *process) cpuTicks() (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it are fixed.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat: %q", data)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime, nil
}

// finish ends the process by closing its input, the hang-up both
// implementations understand, and collects what it left.
func (p *process) finish(wait time.Duration) error {
	p.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(wait):
		p.cmd.Process.Kill()
		<-done
		err = fmt.Errorf("still running %v after the hang-up", wait)
	}
	if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.side.PeakRSS = ru.Maxrss * 1024
		p.side.CPUTime = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	p.side.Stderr = p.stderr.String()
	if f, ferr := os.Open(p.trace); ferr == nil {
		p.side.Trace, _ = trace.Read(f)
		f.Close()
	}
	return err
}

// RunCall makes one call between two processes of impl. After both codes
// have passed, it waits warmUp, measures CPU over window, then hangs up.
func RunCall(ctx context.Context, impl Impl, dir string, warmUp, window time.Duration) (Call, error) {
	d, err := dial(ctx, impl, dir, nil, nil)
	if err != nil {
		return d.Call, err
	}
	procs := []*process{d.caller, d.callee}

	time.Sleep(warmUp)
	before := make([]int64, len(procs))
	for i, p := range procs {
		if before[i], err = p.cpuTicks(); err != nil {
			return d.abort(fmt.Errorf("%w: a process ended during the call: %v", ErrNoCall, err))
		}
	}
	began := time.Now()
	time.Sleep(window)
	for i, p := range procs {
		after, err := p.cpuTicks()
		if err != nil {
			return d.abort(fmt.Errorf("%w: a process ended during the call: %v", ErrNoCall, err))
		}
		p.side.CPU = float64(after-before[i]) / clockTicks / time.Since(began).Seconds() * 100
	}
	return d.hangUp()
}

// dialed is a call between two processes whose codes have passed.
type dialed struct {
	Call
	impl           Impl
	caller, callee *process
}

// dial starts the two processes of a call of impl, each with its own
// arguments added, and passes their codes through FIFOs in dir.
func dial(ctx context.Context, impl Impl, dir string, callerArgs, calleeArgs []string) (*dialed, error) {
	d := &dialed{impl: impl}
	fifos := map[string]string{}
	for _, name := range []string{"offer-out", "offer-in", "answer-out", "answer-in"} {
		fifos[name] = filepath.Join(dir, name)
		if err := syscall.Mkfifo(fifos[name], 0o600); err != nil {
			return d, err
		}
	}
	var err error
	d.caller, err = start(impl, "call", dir, append([]string{"--signal-out", fifos["offer-out"], "--signal-in", fifos["answer-in"]}, callerArgs...)...)
	if err != nil {
		return d, err
	}
	d.callee, err = start(impl, "answer", dir, append([]string{"--signal-in", fifos["offer-in"], "--signal-out", fifos["answer-out"]}, calleeArgs...)...)
	if err != nil {
		d.caller.cmd.Process.Kill()
		d.caller.cmd.Wait()
		return d, err
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if d.Offer, err = relay(ctx, fifos["offer-out"], fifos["offer-in"]); err != nil {
		_, err = d.abort(fmt.Errorf("passing the offer: %w", err))
		return d, err
	}
	if d.Answer, err = relay(ctx, fifos["answer-out"], fifos["answer-in"]); err != nil {
		_, err = d.abort(fmt.Errorf("passing the answer: %w", err))
		return d, err
	}
	return d, nil
}

// abort kills both processes and returns err with what they printed.
func (d *dialed) abort(err error) (Call, error) {
	for _, p := range []*process{d.caller, d.callee} {
		p.cmd.Process.Kill()
		p.finish(time.Second)
	}
	d.Caller, d.Callee = d.caller.side, d.callee.side
	return d.Call, fmt.Errorf("%s: %w\ncaller stderr:\n%s\ncallee stderr:\n%s", d.impl.Name, err, d.Caller.Stderr, d.Callee.Stderr)
}

// hangUp ends the call from both sides, and checks that it was one: each
// side's chat opened.
func (d *dialed) hangUp() (Call, error) {
	errCaller := d.caller.finish(10 * time.Second)
	errCallee := d.callee.finish(10 * time.Second)
	d.Caller, d.Callee = d.caller.side, d.callee.side
	for _, s := range []Side{d.Caller, d.Callee} {
		if _, ok := s.Trace[trace.ChatOpen]; !ok {
			return d.Call, fmt.Errorf("%s: %w: no chat channel opened\ncaller stderr:\n%s\ncallee stderr:\n%s",
				d.impl.Name, ErrNoCall, d.Caller.Stderr, d.Callee.Stderr)
		}
	}
	if err := errors.Join(errCaller, errCallee); err != nil {
		return d.Call, fmt.Errorf("%s: ending the call: %w", d.impl.Name, err)
	}
	return d.Call, nil
}

// relay carries one code from a process's output FIFO to the other's input
// FIFO, and returns it.
func relay(ctx context.Context, from, to string) (string, error) {
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(from)
		if err != nil {
			done <- result{err: err}
			return
		}
		line, err := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if err != nil {
			done <- result{err: fmt.Errorf("reading the code: %w", err)}
			return
		}
		out, err := os.OpenFile(to, os.O_WRONLY, 0)
		if err != nil {
			done <- result{err: err}
			return
		}
		_, err = io.WriteString(out, line)
		out.Close()
		done <- result{line: strings.TrimSpace(line), err: err}
	}()
	select {
	case r := <-done:
		return r.line, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Since returns the time from event a to event b of one side, and whether
// both happened.
func (s Side) Since(a, b string) (time.Duration, bool) {
	ea, okA := s.Trace[a]
	eb, okB := s.Trace[b]
	if !okA || !okB {
		return 0, false
	}
	return time.Duration(eb.Time - ea.Time), true
}

// FromStart returns the time from the process's start to event name.
func (s Side) FromStart(name string) (time.Duration, bool) {
	e, ok := s.Trace[name]
	if !ok {
		return 0, false
	}
	return time.Duration(e.Time - s.Start.UnixNano()), true
}

// DecodedFPS returns the rate of decoded pictures, from the summary event.
func (s Side) DecodedFPS() (float64, bool) {
	e, ok := s.Trace[trace.Summary]
	if !ok || e.Frames < 2 || e.Last <= e.First {
		return 0, false
	}
	return float64(e.Frames-1) / time.Duration(e.Last-e.First).Seconds(), true
}

// Impls returns the two implementations under test, given their binaries:
// the baseline first, then pigeon with the test sources on loopback and no
// view, as the baseline has none.
func Impls(pigeonBin, baselineBin string) []Impl {
	return []Impl{
		{Name: "baseline", Bin: baselineBin},
		{Name: "pigeon", Bin: pigeonBin, Args: pigeonArgs("none")},
	}
}

// WithFiles returns impls sending the video and sound files given in
// place of the test sources, under the same names: both pigeon and the
// baseline read them with capture's file sources.
func WithFiles(impls []Impl, video, audio string) []Impl {
	var out []Impl
	for _, impl := range impls {
		args := []string{"--video", video, "--audio", audio}
		if impl.Name == "pigeon" {
			args = append(pigeonArgs("none"), args...) // the later flags win
		}
		impl.Args = args
		out = append(out, impl)
	}
	return out
}

// Windowed returns pigeon as a person runs it on a desktop: the call in a
// window on display (an Xvfb one, say), the self-view in its corner, the
// speakers as the machine has them.
func Windowed(pigeonBin, display string) Impl {
	return Impl{Name: Rendering, Bin: pigeonBin, Args: pigeonArgs("window"), Env: []string{"DISPLAY=" + display}}
}

// Rendering names the windowed pigeon among the implementations.
const Rendering = "pigeon, window"

func pigeonArgs(view string) []string {
	return []string{"--video", "test", "--audio", "test", "--interface", "lo", "--view", view}
}
