package bench

import (
	"fmt"
	"io"
	"time"

	"github.com/pigeon-call/pigeon/internal/trace"
)

// SpeedGoal is one figure of pigeon against a goal of the work on fast
// connecting and cheap calls: a fixed limit, or the baseline's figure in
// the same run (Baseline set).
type SpeedGoal struct {
	Metric, Unit string
	Pigeon       []float64
	Goal         Goal      // the limit; with Baseline, its median replaces Limit
	Baseline     []float64 // for a goal of at most (or at least) the baseline's
}

// SpeedGoals returns the rows of the goals: the connect timings of the short
// calls, CPU and peak memory per side of the long calls with the test
// sources (load) and with the natural clip (clip), each against the
// baseline's in the same run, and the rate of the files sent.
func SpeedGoals(latency, load, clip map[string][]Call, transfers []Transfer) []SpeedGoal {
	collect := func(calls []Call, f func(Call) (float64, bool)) []float64 {
		var out []float64
		for _, c := range calls {
			if v, ok := f(c); ok {
				out = append(out, v)
			}
		}
		return out
	}
	ms := func(d time.Duration, ok bool) (float64, bool) { return float64(d.Microseconds()) / 1000, ok }
	rows := []SpeedGoal{
		{Metric: "answer read to chat open", Unit: "ms", Goal: Goal{Limit: 15},
			Pigeon: collect(latency["pigeon"], func(c Call) (float64, bool) { return ms(c.Caller.Since(trace.CodeRead, trace.ChatOpen)) })},
		{Metric: "process start to offer printed", Unit: "ms", Goal: Goal{Limit: 20},
			Pigeon: collect(latency["pigeon"], func(c Call) (float64, bool) { return ms(c.Caller.FromStart(trace.CodeWritten)) })},
		{Metric: "answer read to first decoded picture", Unit: "ms", Goal: Goal{Limit: 60},
			Pigeon: collect(latency["pigeon"], func(c Call) (float64, bool) { return ms(c.Caller.Since(trace.CodeRead, trace.FirstFrame)) })},
	}
	for _, src := range []struct {
		name  string
		calls map[string][]Call
	}{{"test sources", load}, {"natural clip", clip}} {
		for _, side := range []struct {
			name string
			of   func(Call) Side
		}{{"caller", func(c Call) Side { return c.Caller }}, {"callee", func(c Call) Side { return c.Callee }}} {
			cpu := func(c Call) (float64, bool) { return side.of(c).CPU, true }
			rss := func(c Call) (float64, bool) { return float64(side.of(c).PeakRSS) / 1e6, side.of(c).PeakRSS > 0 }
			rows = append(rows,
				SpeedGoal{Metric: fmt.Sprintf("CPU, %s, %s", side.name, src.name), Unit: "% of a core",
					Pigeon: collect(src.calls["pigeon"], cpu), Baseline: collect(src.calls["baseline"], cpu)},
				SpeedGoal{Metric: fmt.Sprintf("peak RSS, %s, %s", side.name, src.name), Unit: "MB",
					Pigeon: collect(src.calls["pigeon"], rss), Baseline: collect(src.calls["baseline"], rss)})
		}
	}
	var rates []float64
	for _, t := range transfers {
		if r, ok := t.Rate(); ok {
			rates = append(rates, r/1e6)
		}
	}
	return append(rows, SpeedGoal{Metric: "file between two pigeon processes", Unit: "MB/s", Goal: Goal{Limit: 80, AtLeast: true}, Pigeon: rates})
}

// WriteSpeedGoals writes rows as a Markdown table: metric, pigeon's figure,
// the goal, and whether pigeon's median meets it.
func WriteSpeedGoals(w io.Writer, rows []SpeedGoal) {
	fmt.Fprintln(w, "| metric | pigeon | goal | met |")
	fmt.Fprintln(w, "| --- | ---: | ---: | :---: |")
	for _, r := range rows {
		p := Summarize(r.Pigeon)
		goal, limit := r.Goal, r.Goal.Limit
		desc := fmt.Sprintf("%s %s", goal, r.Unit)
		if r.Baseline != nil || r.Goal.Limit == 0 {
			b := Summarize(r.Baseline)
			limit = b.Median
			desc = fmt.Sprintf("%s baseline (%s)", goal.word(), b.format(r.Unit))
			if b.N == 0 {
				desc, limit = "≤ baseline (n/a)", 0
			}
		}
		met := "n/a"
		if p.N > 0 && (r.Baseline == nil || len(r.Baseline) > 0) {
			met = "no"
			if (Goal{Limit: limit, AtLeast: goal.AtLeast}).Met(p.Median) {
				met = "yes"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.Metric, p.format(r.Unit), desc, met)
	}
}

// word is the goal's sign alone: "≤" or "≥".
func (g Goal) word() string {
	if g.AtLeast {
		return "≥"
	}
	return "≤"
}

// CPUPerMiB is the processor time both processes of t spent for each MiB
// of the file, in milliseconds, set-up and hang-up included.
func (t Transfer) CPUPerMiB() (float64, bool) {
	cpu := t.Caller.CPUTime + t.Callee.CPUTime
	if cpu <= 0 || t.Size <= 0 {
		return 0, false
	}
	return float64(cpu.Microseconds()) / 1000 / (float64(t.Size) / (1 << 20)), true
}
