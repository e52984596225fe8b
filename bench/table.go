package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pigeon-call/pigeon/internal/trace"
	"github.com/pigeon-call/pigeon/offline"
)

// Row is one metric: samples of the baseline and of pigeon, from one run.
type Row struct {
	Metric           string
	Unit             string // "ms", "%", "MB", "chars", ...
	Baseline, Pigeon []float64
}

// Summary is the median of samples and their range.
type Summary struct {
	Median, Min, Max float64
	N                int
}

// Summarize returns the median and range of xs; N is 0 when there are none.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	median := s[len(s)/2]
	if len(s)%2 == 0 {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Summary{Median: median, Min: s[0], Max: s[len(s)-1], N: len(s)}
}

func (s Summary) format(unit string) string {
	if s.N == 0 {
		return "n/a"
	}
	v := fmt.Sprintf("%s %s", num(s.Median), unit)
	if s.N > 1 && s.Max > s.Min {
		v += fmt.Sprintf(" (%s–%s)", num(s.Min), num(s.Max))
	}
	return v
}

func num(x float64) string {
	if math.Abs(x) >= 100 || x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

// WriteTable writes rows as a Markdown table: metric, baseline, pigeon, and
// the ratio of the medians, pigeon over baseline.
func WriteTable(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| metric | baseline | pigeon | pigeon/baseline |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	for _, r := range rows {
		b, p := Summarize(r.Baseline), Summarize(r.Pigeon)
		ratio := "n/a"
		if b.N > 0 && p.N > 0 && b.Median != 0 {
			ratio = fmt.Sprintf("%.2f", p.Median/b.Median)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.Metric, b.format(r.Unit), p.format(r.Unit), ratio)
	}
}

// QR returns the version of the QR code pigeon would draw for text (level
// M, in the QR mode that makes the smallest symbol) and the terminal columns
// it takes with its quiet zone, or ok false when no QR code holds it.
func QR(text string) (version, columns int, ok bool) {
	_, version = offline.Measure(text)
	return version, 17 + 4*version + 8, version > 0
}

// PayloadBytes returns the binary payload a code carries, in bytes.
func PayloadBytes(text string) float64 { return float64(offline.PayloadSize(text)) }

// Rows turns measured calls into the table's rows. latency holds short calls
// for the timings; load holds long calls for CPU, memory and frame rates.
func Rows(latency, load map[string][]Call) []Row {
	impls := []string{"baseline", "pigeon"}
	collect := func(calls map[string][]Call, f func(Call) (float64, bool)) (out [2][]float64) {
		for i, name := range impls {
			for _, c := range calls[name] {
				if v, ok := f(c); ok {
					out[i] = append(out[i], v)
				}
			}
		}
		return out
	}
	var rows []Row
	add := func(metric, unit string, calls map[string][]Call, f func(Call) (float64, bool)) {
		v := collect(calls, f)
		rows = append(rows, Row{Metric: metric, Unit: unit, Baseline: v[0], Pigeon: v[1]})
	}
	ms := func(d time.Duration, ok bool) (float64, bool) { return float64(d.Microseconds()) / 1000, ok }

	for _, code := range []struct {
		name string
		text func(Call) string
	}{{"offer", func(c Call) string { return c.Offer }}, {"answer", func(c Call) string { return c.Answer }}} {
		add(code.name+" text", "chars", latency, func(c Call) (float64, bool) { return float64(len(code.text(c))), true })
		add(code.name+" payload", "bytes", latency, func(c Call) (float64, bool) {
			b := PayloadBytes(code.text(c))
			return b, b > 0
		})
		add(code.name+" QR version (level M)", "", latency, func(c Call) (float64, bool) {
			v, _, ok := QR(code.text(c))
			return float64(v), ok
		})
		add(code.name+" QR width", "columns", latency, func(c Call) (float64, bool) {
			_, cols, ok := QR(code.text(c))
			return float64(cols), ok
		})
	}
	add("process start to offer printed", "ms", latency, func(c Call) (float64, bool) {
		return ms(c.Caller.FromStart(trace.CodeWritten))
	})
	add("answer read to data channel open", "ms", latency, func(c Call) (float64, bool) {
		return ms(c.Caller.Since(trace.CodeRead, trace.ChatOpen))
	})
	add("answer read to first decoded frame (caller)", "ms", latency, func(c Call) (float64, bool) {
		return ms(c.Caller.Since(trace.CodeRead, trace.FirstFrame))
	})
	for _, side := range []struct {
		name string
		of   func(Call) Side
	}{{"caller", func(c Call) Side { return c.Caller }}, {"callee", func(c Call) Side { return c.Callee }}} {
		add("CPU, "+side.name, "% of a core", load, func(c Call) (float64, bool) { return side.of(c).CPU, true })
		add("peak RSS, "+side.name, "MB", load, func(c Call) (float64, bool) {
			return float64(side.of(c).PeakRSS) / 1e6, side.of(c).PeakRSS > 0
		})
		add("decoded fps, "+side.name, "fps", load, func(c Call) (float64, bool) { return side.of(c).DecodedFPS() })
		add("capture to decoded picture, median, "+side.name, "ms", load, func(c Call) (float64, bool) {
			e, ok := side.of(c).Trace[trace.Summary]
			return float64(e.LatencyP50) / 1e6, ok && e.LatencyP50 > 0
		})
		add("capture to decoded picture, p95, "+side.name, "ms", load, func(c Call) (float64, bool) {
			e, ok := side.of(c).Trace[trace.Summary]
			return float64(e.LatencyP95) / 1e6, ok && e.LatencyP95 > 0
		})
	}
	return rows
}

// Machine describes the machine the figures come from.
func Machine(cpuinfo string, cores int, goVersion string) string {
	model := "unknown CPU"
	for _, line := range strings.Split(cpuinfo, "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
			break
		}
	}
	return fmt.Sprintf("%d cores, %s, %s", cores, model, goVersion)
}

// Goal is a figure the issue tracker set for a metric: at most or at least
// Limit.
type Goal struct {
	Limit   float64
	AtLeast bool
}

func (g Goal) String() string {
	if g.AtLeast {
		return "≥ " + num(g.Limit)
	}
	return "≤ " + num(g.Limit)
}

// Met reports whether x meets the goal.
func (g Goal) Met(x float64) bool {
	if g.AtLeast {
		return x >= g.Limit
	}
	return x <= g.Limit
}

// RenderRow is one metric of pigeon without a view and in a window, against
// its goal.
type RenderRow struct {
	Metric, Unit string
	None, Window []float64
	Goal         Goal
}

// RenderRows turns long calls of pigeon without a view and of pigeon in a
// window (the Rendering implementation) into rows with their goals: with
// both processes and their renderers on one machine, each side under half
// a core and 60 MB, at least 29 decoded pictures a second, and a median
// capture-to-decode latency of at most 50 ms.
func RenderRows(load map[string][]Call) []RenderRow {
	var rows []RenderRow
	for _, side := range []struct {
		name string
		of   func(Call) Side
	}{{"caller", func(c Call) Side { return c.Caller }}, {"callee", func(c Call) Side { return c.Callee }}} {
		add := func(metric, unit string, goal Goal, f func(Side) (float64, bool)) {
			r := RenderRow{Metric: metric + ", " + side.name, Unit: unit, Goal: goal}
			for _, c := range load["pigeon"] {
				if v, ok := f(side.of(c)); ok {
					r.None = append(r.None, v)
				}
			}
			for _, c := range load[Rendering] {
				if v, ok := f(side.of(c)); ok {
					r.Window = append(r.Window, v)
				}
			}
			rows = append(rows, r)
		}
		add("CPU", "% of a core", Goal{Limit: 50}, func(s Side) (float64, bool) { return s.CPU, true })
		add("peak RSS", "MB", Goal{Limit: 60}, func(s Side) (float64, bool) { return float64(s.PeakRSS) / 1e6, s.PeakRSS > 0 })
		add("decoded fps", "fps", Goal{Limit: 29, AtLeast: true}, Side.DecodedFPS)
		add("capture to decoded picture, median", "ms", Goal{Limit: 50}, func(s Side) (float64, bool) {
			e, ok := s.Trace[trace.Summary]
			return float64(e.LatencyP50) / 1e6, ok && e.LatencyP50 > 0
		})
	}
	return rows
}

// WriteRenderTable writes rows as a Markdown table: metric, pigeon without
// a view, pigeon in a window, the goal, and whether the window's median
// meets it.
func WriteRenderTable(w io.Writer, rows []RenderRow) {
	fmt.Fprintln(w, "| metric | pigeon, no view | pigeon, window | goal | met |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | :---: |")
	for _, r := range rows {
		none, win := Summarize(r.None), Summarize(r.Window)
		met := "n/a"
		if win.N > 0 {
			met = "no"
			if r.Goal.Met(win.Median) {
				met = "yes"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s %s | %s |\n", r.Metric, none.format(r.Unit), win.format(r.Unit),
			r.Goal, r.Unit, met)
	}
}
