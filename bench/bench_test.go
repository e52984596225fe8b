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
	"github.com/pigeon-call/pigeon/offline"
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
	// The baseline sends no PLI, so in a short call it may decode nothing
	// yet; pigeon must have every figure.
	for _, metric := range []string{"offer text", "answer read to data channel open", "CPU, caller",
		"answer read to first decoded frame (caller)", "capture to decoded picture, median, callee"} {
		cells := strings.Split(lineOf(table.String(), metric), "|")
		if len(cells) < 5 || strings.TrimSpace(cells[3]) == "n/a" {
			t.Errorf("row %q has no figure for pigeon: %q", metric, cells)
		}
	}

	// A file sent between two pigeons arrives whole, and has a rate.
	transferDir := filepath.Join(dir, "transfer")
	if err := os.Mkdir(transferDir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(transferDir, "file.bin")
	if err := os.WriteFile(file, bytes.Repeat([]byte("pigeon "), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := RunTransfer(context.Background(), pigeon, transferDir, file)
	if err != nil {
		t.Fatal(err)
	}
	if rate, ok := tr.Rate(); !ok || rate <= 0 {
		t.Errorf("no rate for the transfer: %v, %v; traces %v, %v", rate, ok, tr.Caller.Trace, tr.Callee.Trace)
	}
	table.Reset()
	WriteTransferTable(&table, []Transfer{tr}, 0)
	t.Logf("\n%s", table.String())
	for _, metric := range []string{"file rate, chat open to saved", "CPU per MiB, both processes (the example: both peers in one)"} {
		if cells := strings.Split(lineOf(table.String(), metric), "|"); len(cells) < 3 || strings.TrimSpace(cells[2]) == "n/a" {
			t.Errorf("no figure for %q in the table:\n%s", metric, table.String())
		}
	}

	// The goals have pigeon's figures, and the baseline's where the goal
	// is the baseline's.
	table.Reset()
	WriteSpeedGoals(&table, SpeedGoals(calls, calls, calls, []Transfer{tr}))
	t.Logf("\n%s", table.String())
	for _, metric := range []string{"answer read to chat open", "process start to offer printed", "answer read to first decoded picture",
		"CPU, caller, test sources", "peak RSS, callee, natural clip", "file between two pigeon processes"} {
		cells := strings.Split(lineOf(table.String(), metric), "|")
		if len(cells) < 5 || strings.TrimSpace(cells[2]) == "n/a" || strings.TrimSpace(cells[4]) == "n/a" ||
			strings.Contains(cells[3], "(n/a)") {
			t.Errorf("row %q lacks a figure: %q", metric, cells)
		}
	}
}

// TestSpeedGoalsMet checks the goal column and the verdict: a fixed limit,
// at most the baseline's median, at least a rate.
func TestSpeedGoalsMet(t *testing.T) {
	var table bytes.Buffer
	WriteSpeedGoals(&table, []SpeedGoal{
		{Metric: "fast", Unit: "ms", Goal: Goal{Limit: 15}, Pigeon: []float64{10, 12, 30}},
		{Metric: "slow", Unit: "ms", Goal: Goal{Limit: 15}, Pigeon: []float64{16, 17, 3}},
		{Metric: "lean", Unit: "MB", Pigeon: []float64{40, 41}, Baseline: []float64{45, 46}},
		{Metric: "fat", Unit: "MB", Pigeon: []float64{50}, Baseline: []float64{45}},
		{Metric: "rate", Unit: "MB/s", Goal: Goal{Limit: 80, AtLeast: true}, Pigeon: []float64{40}},
		{Metric: "none", Unit: "MB/s", Goal: Goal{Limit: 80, AtLeast: true}},
	})
	for metric, want := range map[string]string{
		"fast": "| fast | 12 ms (10–30) | ≤ 15 ms | yes |",
		"slow": "| slow | 16 ms (3–17) | ≤ 15 ms | no |",
		"lean": "| lean | 40.5 MB (40–41) | ≤ baseline (45.5 MB (45–46)) | yes |",
		"fat":  "| fat | 50 MB | ≤ baseline (45 MB) | no |",
		"rate": "| rate | 40 MB/s | ≥ 80 MB/s | no |",
		"none": "| none | n/a | ≥ 80 MB/s | n/a |",
	} {
		if got := lineOf(table.String(), metric); got != want {
			t.Errorf("row %s:\n got %s\nwant %s", metric, got, want)
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

// TestCodeSizes checks the goals of the compact code on a real offer: with
// one IPv4 candidate at most 80 characters, 56 bytes (its ICE secret
// included) and a version 4 QR code; each further IPv4 candidate 7 bytes,
// each IPv6 one 19.
func TestCodeSizes(t *testing.T) {
	rows, err := CodeSizes()
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	WriteCodeSizes(&table, rows)
	t.Logf("\n%s", table.String())
	bytesOf := func(candidates string) int {
		for _, r := range rows {
			if r.Candidates == candidates {
				return r.Sizes[offline.FormatCompact].Bytes
			}
		}
		t.Fatalf("no row for %s", candidates)
		return 0
	}
	one := rows[0].Sizes[offline.FormatCompact]
	if rows[0].Candidates != "1 IPv4" || one.Chars > 80 || one.Bytes > 56 || one.QRVersion < 1 || one.QRVersion > 4 {
		t.Errorf("compact offer with one IPv4 candidate: %+v, want at most 80 characters, 56 bytes, QR version 4", one)
	}
	if d := bytesOf("4 IPv4") - bytesOf("1 IPv4"); d != 3*7 {
		t.Errorf("three more IPv4 candidates cost %d bytes, want 21", d)
	}
	if d := bytesOf("2 IPv6") - bytesOf("1 IPv6"); d != 19 {
		t.Errorf("one more IPv6 candidate costs %d bytes, want 19", d)
	}
	for _, r := range rows {
		if full := r.Sizes[offline.FormatFull]; full.Chars <= r.Sizes[offline.FormatCompact].Chars*5 {
			t.Errorf("%s: the full form (%d) is not much larger than compact: suspicious", r.Candidates, full.Chars)
		}
	}
}
