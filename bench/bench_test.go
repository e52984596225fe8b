package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/trace"
)

// TestSmoke makes one short call with each implementation and builds the
// table from them, so the benchmark cannot rot between runs of make bench.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries and makes two calls")
	}
	dir := t.TempDir()
	pigeon, baseline := filepath.Join(dir, "pigeon.bin"), filepath.Join(dir, "baseline.bin")
	for _, b := range []struct{ out, pkg string }{{pigeon, ".."}, {baseline, "./baseline"}} {
		out, err := exec.Command("go", "build", "-o", b.out, b.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("building %s: %v\n%s", b.pkg, err, out)
		}
	}

	calls := map[string][]Call{}
	for _, impl := range Impls(pigeon, baseline) {
		callDir := filepath.Join(dir, impl.Name)
		if err := os.Mkdir(callDir, 0o755); err != nil {
			t.Fatal(err)
		}
		c, err := RunCall(context.Background(), impl, callDir, 500*time.Millisecond, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []Side{c.Caller, c.Callee} {
			for _, e := range []string{trace.CodeWritten, trace.CodeRead, trace.Connected, trace.ChatOpen, trace.Summary} {
				if _, ok := s.Trace[e]; !ok {
					t.Errorf("%s: no %q in the trace %v", impl.Name, e, s.Trace)
				}
			}
			if s.CPU <= 0 || s.PeakRSS <= 0 {
				t.Errorf("%s: CPU %.1f%%, peak RSS %d: the accounting read nothing", impl.Name, s.CPU, s.PeakRSS)
			}
		}
		if d, ok := c.Caller.Since(trace.CodeRead, trace.ChatOpen); !ok || d <= 0 || d > 10*time.Second {
			t.Errorf("%s: answer to chat open %v", impl.Name, d)
		}
		calls[impl.Name] = append(calls[impl.Name], c)
	}

	var table bytes.Buffer
	WriteTable(&table, Rows(calls, calls))
	t.Logf("\n%s", table.String())
	for _, metric := range []string{"offer text", "answer read to data channel open", "CPU, caller"} {
		line := lineOf(table.String(), metric)
		if line == "" || strings.Count(line, "n/a") > 0 {
			t.Errorf("row %q is missing or empty: %q", metric, line)
		}
	}
}

func lineOf(table, metric string) string {
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, "| "+metric+" |") {
			return l
		}
	}
	return ""
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		in   []float64
		want Summary
	}{
		{nil, Summary{}},
		{[]float64{3}, Summary{3, 3, 3, 1}},
		{[]float64{5, 1, 3}, Summary{3, 1, 5, 3}},
		{[]float64{4, 1, 2, 3}, Summary{2.5, 1, 4, 4}},
	}
	for _, tt := range tests {
		if got := Summarize(tt.in); got != tt.want {
			t.Errorf("Summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	WriteTable(&b, []Row{
		{Metric: "latency", Unit: "ms", Baseline: []float64{50, 60, 55}, Pigeon: []float64{20, 30, 25}},
		{Metric: "missing", Unit: "ms", Baseline: []float64{1}},
	})
	want := "| latency | 55 ms (50–60) | 25 ms (20–30) | 0.45 |\n| missing | 1 ms | n/a | n/a |\n"
	if !strings.HasSuffix(b.String(), want) {
		t.Fatalf("table:\n%s\nwant it to end with:\n%s", b.String(), want)
	}
}

func TestQR(t *testing.T) {
	v, cols, ok := QR(strings.Repeat("a", 60))
	if !ok || v < 1 || v > 5 || cols != 17+4*v+8 {
		t.Fatalf("QR of 60 characters: version %d, %d columns, %v", v, cols, ok)
	}
	if _, _, ok := QR(strings.Repeat("a", 5000)); ok {
		t.Fatal("5000 characters fit no QR code")
	}
}

func TestMachine(t *testing.T) {
	got := Machine("processor\t: 0\nmodel name\t: Some CPU @ 2.0GHz\n", 2, "go1.26")
	if got != "2 cores, Some CPU @ 2.0GHz, go1.26" {
		t.Fatalf("got %q", got)
	}
}
