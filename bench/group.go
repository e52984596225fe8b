package bench

import (
	"bufio"
	"context"
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
	"time"
)

// GroupPerson is what one person of a group call cost, over the window.
type GroupPerson struct {
	CPU     float64 // percent of one core
	PeakRSS int64   // bytes, over the whole process
	Upload  float64 // bits a second sent to all peers, media and chat
}

// GroupCall is one group call of People pigeon processes.
type GroupCall struct {
	People  int
	Persons []GroupPerson
}

// groupProcess is one pigeon of a group call.
type groupProcess struct {
	*process
	mu   sync.Mutex
	errs strings.Builder // what it printed, read while it runs
	in   string
	out  string
}

func (g *groupProcess) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.errs.Write(p)
}

func (g *groupProcess) text() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.errs.String()
}

// waitFor waits until the process has printed n lines holding want.
func (g *groupProcess) waitFor(ctx context.Context, want string, n int) error {
	for strings.Count(g.text(), want) < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q: %w\n%s", want, ctx.Err(), g.text())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

var sentRe = regexp.MustCompile(`; sent ([0-9.]+) (B|KiB|MiB|GiB),`)

// sent asks for /stats and sums what was sent to every peer, in bytes.
func (g *groupProcess) sent(ctx context.Context, peers int) (float64, error) {
	from := len(g.text())
	fmt.Fprintln(g.stdin, "/stats")
	for {
		m := sentRe.FindAllStringSubmatch(g.text()[from:], -1)
		if len(m) >= peers {
			total := 0.0
			for _, s := range m[:peers] {
				v, _ := strconv.ParseFloat(s[1], 64)
				total += v * map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[s[2]]
			}
			return total, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("no /stats: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func startGroupProcess(bin, role, dir, name string) (*groupProcess, error) {
	g := &groupProcess{in: filepath.Join(dir, name+".in"), out: filepath.Join(dir, name+".out")}
	for _, f := range []string{g.in, g.out} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			return nil, err
		}
	}
	p := &process{trace: filepath.Join(dir, name+".jsonl")}
	args := append([]string{role}, pigeonArgs("none")...)
	args = append(args, "--signal-in", g.in, "--signal-out", g.out, "--name", name, "--speaker", "none", "--trace", p.trace)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stderr = io.MultiWriter(&p.stderr, g)
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	p.side.Start = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting pigeon %s: %w", role, err)
	}
	g.process = p
	return g, nil
}

// carryCode moves one code from a FIFO to another.
func carryCode(ctx context.Context, from, to string) error {
	done := make(chan error, 1)
	go func() {
		f, err := os.Open(from)
		if err != nil {
			done <- err
			return
		}
		line, err := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if err == nil {
			err = os.WriteFile(to, []byte(line), 0o600)
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RunGroupCall makes a call of n pigeon processes on loopback, each
// invited by the last newcomer with /invite, with the test sources and no
// view; once all are connected it waits warmUp, then measures each
// person's CPU and upload over window.
func RunGroupCall(ctx context.Context, bin, dir string, n int, warmUp, window time.Duration) (GroupCall, error) {
	dir, err := os.MkdirTemp(dir, "group")
	if err != nil {
		return GroupCall{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute+window)
	defer cancel()
	var people []*groupProcess
	defer func() {
		for _, p := range people {
			p.cmd.Process.Kill()
		}
	}()
	first, err := startGroupProcess(bin, "call", dir, "p0")
	if err != nil {
		return GroupCall{}, err
	}
	people = append(people, first)
	for i := 1; i < n; i++ {
		inviter := people[i-1]
		if i > 1 {
			if err := inviter.waitFor(ctx, "pigeon: chat open", 1); err != nil {
				return GroupCall{}, err
			}
			fmt.Fprintln(inviter.stdin, "/invite")
		}
		p, err := startGroupProcess(bin, "answer", dir, fmt.Sprint("p", i))
		if err != nil {
			return GroupCall{}, err
		}
		people = append(people, p)
		if err := carryCode(ctx, inviter.out, p.in); err != nil {
			return GroupCall{}, err
		}
		if err := carryCode(ctx, p.out, inviter.in); err != nil {
			return GroupCall{}, err
		}
	}
	for _, p := range people {
		if err := p.waitFor(ctx, "pigeon: receiving video", n-1); err != nil {
			return GroupCall{}, err
		}
	}
	select {
	case <-time.After(warmUp):
	case <-ctx.Done():
		return GroupCall{}, ctx.Err()
	}
	type mark struct {
		ticks int64
		sent  float64
	}
	marks := make([]mark, n)
	for i, p := range people {
		if marks[i].ticks, err = p.cpuTicks(); err != nil {
			return GroupCall{}, err
		}
		if marks[i].sent, err = p.sent(ctx, n-1); err != nil {
			return GroupCall{}, err
		}
	}
	began := time.Now()
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return GroupCall{}, ctx.Err()
	}
	call := GroupCall{People: n, Persons: make([]GroupPerson, n)}
	for i, p := range people {
		ticks, err := p.cpuTicks()
		if err != nil {
			return GroupCall{}, err
		}
		sent, err := p.sent(ctx, n-1)
		if err != nil {
			return GroupCall{}, err
		}
		elapsed := time.Since(began).Seconds()
		call.Persons[i].CPU = 100 * float64(ticks-marks[i].ticks) / clockTicks / elapsed
		call.Persons[i].Upload = 8 * (sent - marks[i].sent) / elapsed
	}
	for i, p := range people {
		p.finish(15 * time.Second)
		call.Persons[i].PeakRSS = p.side.PeakRSS
	}
	people = nil
	return call, nil
}

// WriteGroupTable writes a row per call size: the median and range over
// the people of each call's CPU, peak memory and upload.
func WriteGroupTable(w io.Writer, calls []GroupCall) {
	fmt.Fprintln(w, "| people | CPU per person | peak RSS per person | upload per person | upload per peer |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for _, c := range calls {
		var cpu, rss, up []float64
		for _, p := range c.Persons {
			cpu, rss, up = append(cpu, p.CPU), append(rss, float64(p.PeakRSS)/(1<<20)), append(up, p.Upload/1e6)
		}
		perPeer := make([]float64, len(up))
		for i, u := range up {
			perPeer[i] = u / float64(c.People-1)
		}
		fmt.Fprintf(w, "| %d | %s %% | %s MiB | %s Mbit/s | %s Mbit/s |\n", c.People,
			spread(cpu, "%.0f"), spread(rss, "%.0f"), spread(up, "%.2f"), spread(perPeer, "%.2f"))
	}
}

// spread writes the median of v with its range.
func spread(v []float64, format string) string {
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return fmt.Sprintf(format+" ["+format+"–"+format+"]", s[len(s)/2], s[0], s[len(s)-1])
}
