package bench

import (
	"bytes"
	"strings"
	"testing"
)

// TestAudioTable: the echo canceller's figures land in their rows, one
// column a room, and each is judged against its goal.
func TestAudioTable(t *testing.T) {
	out := `BenchmarkEchoCancellation/laptop-2  1  1203912110 ns/op  64.98 ERLE-dB  13.96 delay-ms  8.105 double-talk-ERLE-dB  -2.899 double-talk-near-level-dB  1.721 microphone-CPU-%  0.9363 near-correlation  6.311 near-level-dB  0.003763 speaker-CPU-%
BenchmarkEchoCancellation/hall-2  1  2109663339 ns/op  19.65 ERLE-dB  9.98 delay-ms  11.18 double-talk-ERLE-dB  -3.553 double-talk-near-level-dB  1.612 microphone-CPU-%  0.9299 near-correlation  4.911 near-level-dB  0.01947 speaker-CPU-%
BenchmarkProcess-2  4921  292363 ns/op  1.462 CPU-%
`
	var b bytes.Buffer
	WriteAudioTable(&b, ParseBench(out))
	table := b.String()
	for _, want := range []string{
		"| metric | laptop | hall | goal | met |",
		"| echo return loss enhancement, after convergence (far end alone) | 65.0 dB | 19.6 dB | ≥ 25 dB | no |",
		"| latency added: the module's own delay (no buffering added) | 14.0 ms | 10.0 ms | ≤ 10 ms | no |",
		"| the person in the room alone: level, out over in (gain control) | +6.3 dB | +4.9 dB | — |  |",
		"| CPU, speaker side (a copy on the audio thread) | 0.004 % of a core | 0.019 % of a core | ≤ 5 % of a core | yes |",
		"1.5 % of a core",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("no %q in:\n%s", want, table)
		}
	}
}
