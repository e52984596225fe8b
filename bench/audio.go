package bench

import (
	"fmt"
	"io"
	"strings"
)

// AudioProcessing is the benchmark of the microphone's processing (package
// apm): echo cancellation with speech through simulated rooms, and the
// cost of cleaning one 20 ms chunk.
var AudioProcessing = GoBench{
	Pkg: "./apm/", Pattern: "^(BenchmarkEchoCancellation|BenchmarkProcess)$", Args: []string{"-benchtime", "1x"},
}

// audioMetric is one figure of BenchmarkEchoCancellation or
// BenchmarkProcess, by the unit it reports, with what it means and its
// goal, if one was set.
type audioMetric struct {
	unit, metric, shown string
	goal                *Goal
}

// The goals: the echo at least 25 dB down once converged, at most 10 ms
// added to the sound's way, and a cost no one notices, which this table
// takes as 5 % of a core on each side of a call.
var audioMetrics = []audioMetric{
	{"ERLE-dB", "echo return loss enhancement, after convergence (far end alone)", "dB", &Goal{Limit: 25, AtLeast: true}},
	{"double-talk-ERLE-dB", "echo return loss enhancement, both speaking", "dB", nil},
	{"near-correlation", "the person in the room alone: correlation with their voice", "", nil},
	{"near-level-dB", "the person in the room alone: level, out over in (gain control)", "dB", nil},
	{"double-talk-near-level-dB", "the person in the room, both speaking: level kept", "dB", nil},
	{"delay-ms", "latency added: the module's own delay (no buffering added)", "ms", &Goal{Limit: 10}},
	{"microphone-CPU-%", "CPU, microphone side (the far end's analysis included)", "% of a core", &Goal{Limit: 5}},
	{"speaker-CPU-%", "CPU, speaker side (a copy on the audio thread)", "% of a core", &Goal{Limit: 5}},
}

// WriteAudioTable writes the figures of AudioProcessing as a Markdown
// table, a column for each simulated room, beside the goals.
func WriteAudioTable(w io.Writer, results []BenchResult) {
	var rooms []BenchResult
	var process *BenchResult
	for i, r := range results {
		switch {
		case strings.HasPrefix(r.Name, "EchoCancellation/"):
			rooms = append(rooms, r)
		case r.Name == "Process":
			process = &results[i]
		}
	}
	fmt.Fprint(w, "| metric |")
	for _, r := range rooms {
		fmt.Fprintf(w, " %s |", strings.TrimPrefix(r.Name, "EchoCancellation/"))
	}
	fmt.Fprintln(w, " goal | met |")
	fmt.Fprint(w, "| --- |")
	for range rooms {
		fmt.Fprint(w, " ---: |")
	}
	fmt.Fprintln(w, " ---: | :---: |")
	for _, m := range audioMetrics {
		fmt.Fprintf(w, "| %s |", m.metric)
		met := "n/a"
		for _, r := range rooms {
			v, ok := figure(r, m.unit)
			if !ok {
				fmt.Fprint(w, " n/a |")
				continue
			}
			fmt.Fprintf(w, " %s %s |", signed(v, m.unit), m.shown)
			if m.goal != nil {
				if met == "n/a" {
					met = "yes"
				}
				if !m.goal.Met(v) {
					met = "no"
				}
			}
		}
		goal := "—"
		if m.goal != nil {
			goal = fmt.Sprintf("%s %s", m.goal, m.shown)
		} else {
			met = ""
		}
		fmt.Fprintf(w, " %s | %s |\n", goal, met)
	}
	if process != nil {
		if v, ok := figure(*process, "CPU-%"); ok {
			fmt.Fprintf(w, "\nCleaning one 20 ms chunk of the microphone (BenchmarkProcess, noise in, the far end fed): %s %% of a core.\n", num(v))
		}
	}
}

func figure(r BenchResult, unit string) (float64, bool) {
	for _, f := range r.Figures {
		if f.Unit == unit {
			return f.Value, true
		}
	}
	return 0, false
}

// signed shows a level change with its sign.
func signed(v float64, unit string) string {
	if strings.HasSuffix(unit, "level-dB") && v > 0 {
		return "+" + num(v)
	}
	if unit == "near-correlation" {
		return fmt.Sprintf("%.2f", v)
	}
	if strings.HasSuffix(unit, "CPU-%") && v < 0.1 {
		return fmt.Sprintf("%.3f", v)
	}
	return num(v)
}
