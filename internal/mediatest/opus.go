package mediatest

import (
	"math"
	"time"

	"github.com/pion/mediadevices/pkg/codec/opus"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"
)

// EncodeOpus encodes n 20 ms packets of src (48 kHz mono) with libopus, as
// pigeon's sender does, and returns them.
func EncodeOpus(src audio.Reader, n int) ([][]byte, error) {
	params, err := opus.NewParams()
	if err != nil {
		return nil, err
	}
	enc, err := params.BuildAudioEncoder(src, prop.Media{Audio: prop.Audio{SampleRate: 48000, ChannelCount: 1}})
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	var packets [][]byte
	for len(packets) < n {
		p, release, err := enc.Read()
		if err != nil {
			return nil, err
		}
		packets = append(packets, append([]byte(nil), p...))
		release()
	}
	return packets, nil
}

// ToneHz is the pitch of pcm (mono, at rate samples a second) from its
// rising zero crossings.
func ToneHz(pcm []int16, rate int) float64 {
	first, last, n := -1, -1, 0
	for i := 1; i < len(pcm); i++ {
		if pcm[i-1] < 0 && pcm[i] >= 0 {
			if first < 0 {
				first = i
			}
			last = i
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return float64(n-1) * float64(rate) / float64(last-first)
}

// LongestGap is the longest stretch of silence in pcm (mono, at rate samples
// a second) between its first and its last sound, measured in 2.5 ms steps:
// a tone that stops and starts again shows here.
func LongestGap(pcm []int16, rate int) time.Duration {
	step := rate / 400
	var (
		heard         bool
		run, longest  int
		silentWindows []bool
	)
	for i := 0; i+step <= len(pcm); i += step {
		var sum float64
		for _, v := range pcm[i : i+step] {
			sum += float64(v) * float64(v)
		}
		rms := math.Sqrt(sum / float64(step))
		silentWindows = append(silentWindows, rms < 100) // -50 dBFS
	}
	for _, silent := range silentWindows {
		switch {
		case !silent:
			heard = true
			longest = max(longest, run)
			run = 0
		case heard:
			run++
		}
	}
	return time.Duration(longest) * time.Second / 400
}

// Tone is a sine wave as a microphone would give it (48 kHz mono, 20 ms
// chunks), but as fast as it is read: for tests that need many packets
// without waiting for them.
type Tone struct {
	Hz    float64
	phase float64
}

// Read returns the next 20 ms.
func (t *Tone) Read() (wave.Audio, func(), error) {
	chunk := wave.NewInt16Interleaved(wave.ChunkInfo{Len: 960, Channels: 1, SamplingRate: 48000})
	step := 2 * math.Pi * t.Hz / 48000
	for i := range chunk.Data {
		chunk.Data[i] = int16(math.Sin(t.phase) * math.MaxInt16 / 4)
		t.phase = math.Mod(t.phase+step, 2*math.Pi)
	}
	return chunk, func() {}, nil
}
