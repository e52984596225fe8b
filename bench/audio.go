package bench

import (
	"fmt"
	"io"
	"strings"
)

// AudioProcessing is the benchmark of the microphone's processing (package
// apm): echo cancellation with speech through simulated rooms, the latency
// it adds, noise suppression with a fan in the room, and the cost of
// cleaning one 20 ms chunk.
var AudioProcessing = GoBench{
	Pkg:     "./apm/",
	Pattern: "^(BenchmarkEchoCancellation|BenchmarkLatency|BenchmarkNoiseSuppression|BenchmarkProcess)$",
	Args:    []string{"-benchtime", "1x"},
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
	{"delay-ms", "latency added, on the voice in the room: the output against it", "ms", &Goal{Limit: 10}},
	{"microphone-CPU-%", "CPU, microphone side (the far end's analysis included)", "% of a core", &Goal{Limit: 5}},
	{"speaker-CPU-%", "CPU, speaker side (a copy on the audio thread)", "% of a core", &Goal{Limit: 5}},
}

// latencyMetrics are the figures of BenchmarkLatency: white noise through
// the processing, cross-correlated with what comes out.
var latencyMetrics = []audioMetric{
	{"latency-ms", "latency added by the processing (the band that comes out latest)", "ms", &Goal{Limit: 10}},
	{"band-split-ms", "of it: WebRTC's module splitting the sound into three bands and back", "ms", nil},
	{"echo-canceller-ms", "of it: the echo canceller (64-sample blocks at 16 kHz, overlapped)", "ms", nil},
	{"noise-suppressor-ms", "of it: the noise suppressor (SpeexDSP's, in 2 ms frames)", "ms", nil},
	{"band-spread-ms", "the three bands out of step by", "ms", nil},
}

// noiseMetrics are the figures of BenchmarkNoiseSuppression, a column for
// each loudness of the fan.
var noiseMetrics = []audioMetric{
	{"SNR-gain-dB", "the noise, further below the voice than it went in", "dB", nil},
	{"voice-level-dB", "the voice: level, out over in", "dB", nil},
	{"noise-level-dB", "the noise in the pauses: level, out over in", "dB", nil},
	{"microphone-CPU-%", "CPU, microphone side", "% of a core", &Goal{Limit: 5}},
}

// WriteAudioTable writes the figures of AudioProcessing as Markdown
// tables beside the goals: the echo canceller's, a column for each
// simulated room; the latency the processing adds, stage by stage; noise
// suppression, a column for each loudness of the fan.
func WriteAudioTable(w io.Writer, results []BenchResult) {
	var rooms, latency, noise []BenchResult
	var process *BenchResult
	for i, r := range results {
		switch {
		case strings.HasPrefix(r.Name, "EchoCancellation/"):
			rooms = append(rooms, r)
		case r.Name == "Latency":
			latency = append(latency, r)
		case strings.HasPrefix(r.Name, "NoiseSuppression/"):
			noise = append(noise, r)
		case r.Name == "Process":
			process = &results[i]
		}
	}
	writeAudioColumns(w, "EchoCancellation/", rooms, audioMetrics)
	if len(latency) > 0 {
		fmt.Fprint(w, "\nThe latency the processing adds to the microphone's sound: white noise in, cross-correlated "+
			"with what comes out, once every stage has settled; each stage alone below it. The microphone's chunks are "+
			"whole 10 ms frames, so nothing waits for the rest of a frame:\n\n")
		writeAudioColumns(w, "", latency, latencyMetrics)
	}
	if len(noise) > 0 {
		fmt.Fprint(w, "\nNoise suppression, with the processing a call runs: the person in the room speaking with a fan on "+
			"(a rumble low-passed at 600 Hz, hiss 10 dB below it), 10, 20 and 30 dB below the voice, judged from 3 s on:\n\n")
		writeAudioColumns(w, "NoiseSuppression/", noise, noiseMetrics)
	}
	if process != nil {
		if v, ok := figure(*process, "CPU-%"); ok {
			fmt.Fprintf(w, "\nCleaning one 20 ms chunk of the microphone (BenchmarkProcess, noise in, the far end fed): %s %% of a core.\n", num(v))
		}
	}
}

// writeAudioColumns writes one table: a row for each of metrics, a column
// for each of results (named by what follows prefix; "value" when that is
// all), and the goal.
func writeAudioColumns(w io.Writer, prefix string, results []BenchResult, metrics []audioMetric) {
	fmt.Fprint(w, "| metric |")
	for _, r := range results {
		name := strings.TrimPrefix(r.Name, prefix)
		if prefix == "" {
			name = "value"
		}
		fmt.Fprintf(w, " %s |", name)
	}
	fmt.Fprintln(w, " goal | met |")
	fmt.Fprint(w, "| --- |")
	for range results {
		fmt.Fprint(w, " ---: |")
	}
	fmt.Fprintln(w, " ---: | :---: |")
	for _, m := range metrics {
		fmt.Fprintf(w, "| %s |", m.metric)
		met := "n/a"
		for _, r := range results {
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
	if strings.HasSuffix(unit, "ms") {
		// Two decimals: a latency just under its goal shows as such.
		return fmt.Sprintf("%.2f", v)
	}
	return num(v)
}
