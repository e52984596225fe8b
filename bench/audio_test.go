package bench

import (
	"bytes"
	"strings"
	"testing"
)

// TestAudioTable: the echo canceller's figures land in their rows, one
// column a room; the latency's in a table of their own, a row a stage; the
// noise suppressor's, one column a loudness of the fan; each is judged
// against its goal.
func TestAudioTable(t *testing.T) {
	out := `BenchmarkEchoCancellation/laptop-2  1  1203912110 ns/op  64.98 ERLE-dB  13.96 delay-ms  8.105 double-talk-ERLE-dB  -2.899 double-talk-near-level-dB  1.721 microphone-CPU-%  0.9363 near-correlation  6.311 near-level-dB  0.003763 speaker-CPU-%
BenchmarkEchoCancellation/hall-2  1  2109663339 ns/op  19.65 ERLE-dB  9.98 delay-ms  11.18 double-talk-ERLE-dB  -3.553 double-talk-near-level-dB  1.612 microphone-CPU-%  0.9299 near-correlation  4.911 near-level-dB  0.01947 speaker-CPU-%
BenchmarkProcess-2  4921  292363 ns/op  1.462 CPU-%
BenchmarkLatency-2  1  349148913 ns/op  0.9583 band-split-ms  0.0208 band-spread-ms  0.8517 correlation  7.000 echo-canceller-ms  10.01 latency-ms  2.000 noise-suppressor-ms
BenchmarkNoiseSuppression/fan-10dB-2  1  231553022 ns/op  11.71 SNR-gain-dB  1.115 microphone-CPU-%  -10.81 noise-level-dB  0.9012 voice-level-dB
BenchmarkNoiseSuppression/fan-20dB-2  1  229994730 ns/op  9.310 SNR-gain-dB  6.135 microphone-CPU-%  -7.778 noise-level-dB  1.532 voice-level-dB
`
	var b bytes.Buffer
	WriteAudioTable(&b, ParseBench(out))
	table := b.String()
	for _, want := range []string{
		"| metric | laptop | hall | goal | met |",
		"| echo return loss enhancement, after convergence (far end alone) | 65.0 dB | 19.6 dB | ≥ 25 dB | no |",
		"| latency added, on the voice in the room: the output against it | 13.96 ms | 9.98 ms | ≤ 10 ms | no |",
		"| the person in the room alone: level, out over in (gain control) | +6.3 dB | +4.9 dB | — |  |",
		"| CPU, speaker side (a copy on the audio thread) | 0.004 % of a core | 0.019 % of a core | ≤ 5 % of a core | yes |",
		"1.5 % of a core",
		"| metric | value | goal | met |",
		"| latency added by the processing (the band that comes out latest) | 10.01 ms | ≤ 10 ms | no |",
		"| of it: the echo canceller (64-sample blocks at 16 kHz, overlapped) | 7.00 ms | — |  |",
		"| the three bands out of step by | 0.02 ms | — |  |",
		"| metric | fan-10dB | fan-20dB | goal | met |",
		"| the noise, further below the voice than it went in | 11.7 dB | 9.3 dB | — |  |",
		"| the voice: level, out over in | +0.9 dB | +1.5 dB | — |  |",
		"| CPU, microphone side | 1.1 % of a core | 6.1 % of a core | ≤ 5 % of a core | no |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("no %q in:\n%s", want, table)
		}
	}
}
