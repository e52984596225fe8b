package render

import (
	"math"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// tonePackets is n packets of real Opus: a 480 Hz tone through libopus.
func tonePackets(t testing.TB, n int) [][]byte {
	t.Helper()
	packets, err := mediatest.EncodeOpus(&mediatest.Tone{Hz: 480}, n)
	if err != nil {
		t.Fatal(err)
	}
	return packets
}

func TestJitterBufferPlaysConcealsAndReorders(t *testing.T) {
	packets := tonePackets(t, 100)
	tests := []struct {
		name      string
		order     []int // indexes of packets in the order they arrive; missing ones are lost
		concealed int
		late      int
	}{
		{name: "in order", order: seqRange(0, 100)},
		{name: "two swapped", order: swap(seqRange(0, 100), 40, 41)},
		{name: "one lost", order: without(seqRange(0, 100), 50), concealed: 1},
		{name: "three lost in a row", order: without(seqRange(0, 100), 30, 31, 32), concealed: 3},
		{name: "a duplicate", order: append(seqRange(0, 60), seqRange(59, 100)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jb, err := newJitterBuffer(1)
			if err != nil {
				t.Fatal(err)
			}
			const base = 65500 // the sequence numbers wrap in the middle
			var out []int16
			chunk := make([]int16, 480) // 10 ms, as the sound card asks
			pushed := 0
			// Packets arrive every 20 ms, the card reads every 10 ms.
			for step := 0; pushed < len(tt.order) || len(out) < 100*960; step++ {
				if step%2 == 0 && pushed < len(tt.order) {
					i := tt.order[pushed]
					jb.Push(uint16(base+i), packets[i])
					pushed++
				}
				jb.Read(chunk)
				out = append(out, chunk...)
				if step > 1000 {
					break
				}
			}
			st := jb.Stats()
			if st.Concealed != tt.concealed || st.Late != tt.late {
				t.Errorf("stats %+v, want %d concealed and %d late", st, tt.concealed, tt.late)
			}
			start := firstSound(out)
			if start < 0 || time.Duration(start)*time.Second/48000 > time.Duration(jitterDepth+1)*20*time.Millisecond {
				t.Errorf("the sound starts at sample %d, later than the buffer's depth", start)
			}
			played := out[start : start+90*960]
			if hz := mediatest.ToneHz(played, 48000); math.Abs(hz-480) > 2 {
				t.Errorf("played a %.1f Hz tone, want 480 Hz", hz)
			}
			if gap := mediatest.LongestGap(played, 48000); gap > 5*time.Millisecond {
				t.Errorf("a gap of %v in the sound", gap)
			}
		})
	}
}

func TestJitterBufferRunsDryThenStartsOver(t *testing.T) {
	packets := tonePackets(t, 40)
	jb, err := newJitterBuffer(1)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]int16, 960)
	for i := range 20 {
		jb.Push(uint16(i), packets[i])
		jb.Read(chunk)
	}
	// The network goes quiet for 400 ms: a little concealment, then silence.
	var quiet []int16
	for range 20 {
		jb.Read(chunk)
		quiet = append(quiet, chunk...)
	}
	if st := jb.Stats(); st.Underruns != 1 || st.Concealed != maxConcealed {
		t.Errorf("stats %+v, want 1 underrun after %d concealed", st, maxConcealed)
	}
	if firstSound(quiet[len(quiet)-960:]) >= 0 {
		t.Error("still sounding after the network went quiet for 400 ms")
	}
	// Then packets come again, numbered on: it plays once it holds enough.
	for i := 20; i < 40; i++ {
		jb.Push(uint16(i+20), packets[i])
		jb.Read(chunk)
	}
	if firstSound(chunk) < 0 {
		t.Error("silent after the packets came back")
	}
}

func TestJitterBufferBoundsTheDelay(t *testing.T) {
	packets := tonePackets(t, 60)
	jb, err := newJitterBuffer(1)
	if err != nil {
		t.Fatal(err)
	}
	// A burst of 30 packets at once, then the card reads.
	for i := range 30 {
		jb.Push(uint16(i), packets[i])
	}
	chunk := make([]int16, 960)
	jb.Read(chunk)
	if st := jb.Stats(); st.Skipped != 30-jitterMaxDepth {
		t.Errorf("stats %+v: want %d skipped, to hold at most %d", st, 30-jitterMaxDepth, jitterMaxDepth)
	}
}

func seqRange(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func swap(s []int, i, j int) []int { s[i], s[j] = s[j], s[i]; return s }

func without(s []int, drop ...int) []int {
	var out []int
	for _, v := range s {
		keep := true
		for _, d := range drop {
			keep = keep && v != d
		}
		if keep {
			out = append(out, v)
		}
	}
	return out
}

// firstSound is the index of the first sample louder than -50 dBFS, or -1.
func firstSound(pcm []int16) int {
	for i, v := range pcm {
		if v > 100 || v < -100 {
			return i
		}
	}
	return -1
}

func BenchmarkOpusDecode(b *testing.B) {
	packets := tonePackets(b, 500)
	jb, err := newJitterBuffer(1)
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]int16, 960)
	i := 0
	for b.Loop() {
		jb.Push(uint16(i), packets[i%len(packets)])
		jb.Read(chunk)
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/packet")
}

// TestJitterBufferPlaysOutWhatItHoldsAtTheEnd: a track that ends (a peer
// who leaves) plays the packets still held, even fewer than the buffer
// waits for at the start, then silence, not concealment.
func TestJitterBufferPlaysOutWhatItHoldsAtTheEnd(t *testing.T) {
	packets := tonePackets(t, 2)
	jb, err := newJitterBuffer(1)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range packets {
		jb.Push(uint16(i), p)
	}
	chunk := make([]int16, 480)
	jb.Read(chunk)
	if mediatest.RMS(chunk) != 0 || jb.Drained() {
		t.Fatal("two packets played before the buffer's depth, with the track going on")
	}
	jb.End()
	var out []int16
	for range 8 {
		if jb.Drained() {
			break
		}
		jb.Read(chunk)
		out = append(out, chunk...)
	}
	if !jb.Drained() || len(out) != 2*960 {
		t.Fatalf("after the end, %d samples played before the buffer said it was drained, want the two packets' %d", len(out), 2*960)
	}
	if hz := mediatest.ToneHz(out[480:], 48000); math.Abs(hz-480) > 5 {
		t.Errorf("played %.0f Hz, want the tone's 480", hz)
	}
	jb.Read(chunk)
	if st := jb.Stats(); mediatest.RMS(chunk) != 0 || st.Concealed != 0 || st.Played != 2 {
		t.Errorf("after the end: RMS %.0f, stats %+v; want silence, 2 played and none concealed", mediatest.RMS(chunk), st)
	}
}
