package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pigeon-call/pigeon/internal/trace"
)

// Transfer is one file sent from the caller to the callee in a call of two
// pigeon processes, as people send one: pigeon call --send FILE, pigeon
// answer --accept-files.
type Transfer struct {
	Call
	Size int64 // bytes
}

// Rate is the file's bytes per second, from the caller's chat opening (the
// call is up, and the file is offered) to the callee's saving it whole.
func (t Transfer) Rate() (float64, bool) {
	open, okOpen := t.Caller.Trace[trace.ChatOpen]
	saved, okSaved := t.Callee.Trace[trace.FileSaved]
	if !okOpen || !okSaved || saved.Time <= open.Time {
		return 0, false
	}
	return float64(t.Size) / time.Duration(saved.Time-open.Time).Seconds(), true
}

// ErrNotSaved means the callee did not save the file whole.
var ErrNotSaved = errors.New("the file was not saved")

// RunTransfer makes a call between two processes of pigeonBin with no
// media, on loopback, in which the caller sends file; the callee saves it
// in dir. The call ends once it is saved, or after a few minutes.
func RunTransfer(ctx context.Context, pigeonBin, dir, file string) (Transfer, error) {
	info, err := os.Stat(file)
	if err != nil {
		return Transfer{}, err
	}
	t := Transfer{Size: info.Size()}
	received := filepath.Join(dir, "received")
	if err := os.Mkdir(received, 0o755); err != nil {
		return t, err
	}
	impl := Impl{
		Name: "pigeon, file",
		Bin:  pigeonBin,
		Args: []string{"--video", "none", "--audio", "none", "--interface", "lo", "--view", "none"},
	}
	d, err := dial(ctx, impl, dir, []string{"--send", file}, []string{"--accept-files", "--download-dir", received})
	if err != nil {
		t.Call = d.Call
		return t, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := waitForEvent(ctx, d.callee.trace, trace.FileSaved); err != nil {
		t.Call, err = d.abort(fmt.Errorf("%w: %w", ErrNotSaved, err))
		return t, err
	}
	if t.Call, err = d.hangUp(); err != nil {
		return t, err
	}
	got, err := os.Stat(filepath.Join(received, filepath.Base(file)))
	if err != nil {
		return t, fmt.Errorf("%w: the callee said it did, but %v", ErrNotSaved, err)
	}
	if got.Size() != t.Size {
		return t, fmt.Errorf("%w: the callee said it did, but it holds %d of %d bytes", ErrNotSaved, got.Size(), t.Size)
	}
	return t, nil
}

// waitForEvent waits until the trace file at path holds the event name.
func waitForEvent(ctx context.Context, path, name string) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if f, err := os.Open(path); err == nil {
			events, _ := trace.Read(f) // a line being written is read next time
			f.Close()
			if _, ok := events[name]; ok {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no %q in the callee's trace: %w", name, ctx.Err())
		case <-tick.C:
		}
	}
}

// WriteTransferTable writes the rate, the processor time for each MiB and
// each side's peak resident memory of ts as a Markdown table, medians with
// their range. exampleCPU, if not 0, is the processor time per MiB of
// pion's data-channels-flow-control example (both peers in one process,
// BenchmarkTransfer), written beside pigeon's.
func WriteTransferTable(w io.Writer, ts []Transfer, exampleCPU float64) {
	var rates, cpus, callers, callees []float64
	for _, t := range ts {
		if r, ok := t.Rate(); ok {
			rates = append(rates, r/1e6)
		}
		if c, ok := t.CPUPerMiB(); ok {
			cpus = append(cpus, c)
		}
		callers = append(callers, float64(t.Caller.PeakRSS)/1e6)
		callees = append(callees, float64(t.Callee.PeakRSS)/1e6)
	}
	example := "n/a"
	if exampleCPU > 0 {
		example = num(exampleCPU) + " ms/MiB"
	}
	fmt.Fprintln(w, "| metric | pigeon | pion's example |")
	fmt.Fprintln(w, "| --- | ---: | ---: |")
	fmt.Fprintf(w, "| file rate, chat open to saved | %s | |\n", Summarize(rates).format("MB/s"))
	fmt.Fprintf(w, "| CPU per MiB, both processes (the example: both peers in one) | %s | %s |\n", Summarize(cpus).format("ms/MiB"), example)
	fmt.Fprintf(w, "| peak RSS, sender | %s | |\n", Summarize(callers).format("MB"))
	fmt.Fprintf(w, "| peak RSS, receiver | %s | |\n", Summarize(callees).format("MB"))
}
