package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"

	"github.com/pigeon-call/pigeon/internal/sound"
)

// The system's microphones are mediadevices drivers of pigeon's own, over
// miniaudio, looked for the first time they are wanted. mediadevices' own
// microphone driver opens the sound system in its package's init, in every
// process, one that only prints its help included; and its probe for a
// PulseAudio server that is not there left twenty libraries mapped for the
// life of the process.

// registerMicrophones registers the microphones of the first sound system
// that answers, once.
var registerMicrophones = sync.OnceFunc(func() { registerMicrophonesOn(sound.Backends()) })

// registerMicrophonesOn registers the capture devices of the first of
// backends that answers. The sound system stays open for the life of the
// process if it has any: its devices belong to it.
func registerMicrophonesOn(backends []malgo.Backend) {
	ctx, err := sound.Open(backends)
	if err != nil {
		return // no sound system: no microphone, which openMicrophone says
	}
	devices, _ := ctx.Devices(malgo.Capture) // none, when it cannot list them
	found := 0
	for _, d := range devices {
		info, err := ctx.DeviceInfo(malgo.Capture, d.ID, malgo.Shared)
		if err != nil {
			continue
		}
		priority := driver.PriorityNormal
		if info.IsDefault != 0 {
			priority = driver.PriorityHigh
		}
		m := &microphone{ctx: ctx, info: info}
		if driver.GetManager().Register(m, driver.Info{
			Label: d.ID.String(), DeviceType: driver.Microphone, Priority: priority, Name: info.Name(),
		}) == nil {
			found++
		}
	}
	if found == 0 {
		sound.Close(ctx)
	}
}

// microphoneLatency is how much sound each read gives: a 20 ms Opus frame.
const microphoneLatency = 20 * time.Millisecond

// microphoneQueue is how many chunks wait for the encoder before the newest
// are dropped: a reader that far behind is better served by what is said now.
const microphoneQueue = 10

// microphone is a capture device, as a mediadevices driver (its Adapter and
// AudioRecorder).
type microphone struct {
	ctx  *malgo.AllocatedContext
	info malgo.DeviceInfo

	mu   sync.Mutex
	dev  *malgo.Device
	stop chan struct{} // closed when the device stops
}

func (m *microphone) Open() error { return nil }

// Close stops recording: the reader returns io.EOF.
func (m *microphone) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dev != nil {
		// Stopped first: Uninit alone does not wake miniaudio's PulseAudio
		// thread, which then waits for ever on a source that sends nothing
		// (a microphone nobody speaks into, on a server that suspends it).
		m.dev.Stop()
		m.dev.Uninit() // waits for miniaudio's thread to leave the callback
		close(m.stop)
		m.dev = nil
	}
	return nil
}

// Properties are the device's formats that pigeon can read, each at 48 kHz
// (miniaudio converts). A format that reports no channels, as ALSA's "null"
// device on a machine without a sound card does, records nothing and is
// left out.
func (m *microphone) Properties() []prop.Media {
	var props []prop.Media
	for _, f := range m.info.Formats {
		if f.Channels == 0 {
			continue
		}
		p := prop.Media{Audio: prop.Audio{
			ChannelCount:  int(f.Channels),
			SampleRate:    48000,
			Latency:       microphoneLatency,
			IsBigEndian:   binary.NativeEndian.Uint16([]byte{1, 0}) != 1,
			IsInterleaved: true, // miniaudio's only layout
		}}
		switch f.Format {
		case malgo.FormatS16:
			p.SampleSize = 2
		case malgo.FormatF32:
			p.SampleSize, p.IsFloat = 4, true
		default:
			continue
		}
		props = append(props, p)
	}
	return props
}

// AudioRecord starts recording in the format p, one of Properties.
func (m *microphone) AudioRecord(p prop.Media) (audio.Reader, error) {
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	switch {
	case p.SampleSize == 2 && !p.IsFloat:
		cfg.Capture.Format = malgo.FormatS16
	case p.SampleSize == 4 && p.IsFloat:
		cfg.Capture.Format = malgo.FormatF32
	default:
		return nil, fmt.Errorf("cannot record %d-byte samples (float: %v)", p.SampleSize, p.IsFloat)
	}
	if p.ChannelCount < 1 || p.SampleRate < 1 {
		return nil, fmt.Errorf("cannot record %d channels at %d Hz", p.ChannelCount, p.SampleRate)
	}
	dec, err := wave.NewDecoder(&wave.RawFormat{SampleSize: p.SampleSize, IsFloat: p.IsFloat, Interleaved: true})
	if err != nil {
		return nil, err
	}
	cfg.Capture.Channels = uint32(p.ChannelCount)
	cfg.Capture.DeviceID = m.info.ID.Pointer()
	cfg.SampleRate = uint32(p.SampleRate)
	cfg.PeriodSizeInMilliseconds = uint32(max(p.Latency, microphoneLatency).Milliseconds())
	cfg.PerformanceProfile = malgo.LowLatency

	chunks := make(chan recorded, microphoneQueue)
	// Known once the device is made, and read on its thread, which C
	// starts: atomic, so that the race detector sees the order too.
	var latency atomic.Int64
	dev, lat, err := sound.InitDevice(m.ctx, cfg, malgo.DeviceCallbacks{
		Data: func(_, in []byte, frames uint32) {
			// The chunk's first sample was recorded one chunk, or the
			// device's latency if more, before it is handed over.
			span := time.Duration(frames) * time.Second / time.Duration(p.SampleRate)
			at := time.Now().Add(-max(span, time.Duration(latency.Load())))
			// miniaudio reuses in once this returns; its thread must not
			// wait for the reader.
			select {
			case chunks <- recorded{bytes.Clone(in), at}:
			default:
			}
		},
	})
	if err != nil {
		return nil, err
	}
	latency.Store(int64(lat))
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return nil, err
	}
	stop := make(chan struct{})
	m.mu.Lock()
	m.dev, m.stop = dev, stop
	m.mu.Unlock()

	return &microphoneReader{chunks: chunks, stop: stop, dec: dec, p: p}, nil
}

// recorded is a chunk of a microphone's sound, and when its first sample
// was recorded.
type recorded struct {
	pcm []byte
	at  time.Time
}

// microphoneReader reads what a microphone records, chunk by chunk, and
// says when each was recorded.
type microphoneReader struct {
	chunks <-chan recorded
	stop   <-chan struct{}
	dec    wave.Decoder
	p      prop.Media
	at     time.Time // when the last chunk read was recorded
}

// Read returns the next chunk the microphone recorded; io.EOF once it is
// closed.
func (r *microphoneReader) Read() (wave.Audio, func(), error) {
	select {
	case chunk := <-r.chunks:
		a, err := r.dec.Decode(binary.NativeEndian, chunk.pcm, r.p.ChannelCount)
		if err != nil {
			return nil, func() {}, err
		}
		switch a := a.(type) {
		case *wave.Int16Interleaved:
			a.Size.SamplingRate = r.p.SampleRate
		case *wave.Float32Interleaved:
			a.Size.SamplingRate = r.p.SampleRate
		}
		r.at = chunk.at
		return a, func() {}, nil
	case <-r.stop:
		return nil, func() {}, io.EOF
	}
}

// Recorded is when the first sample of the last chunk Read returned was
// recorded.
func (r *microphoneReader) Recorded() time.Time { return r.at }
