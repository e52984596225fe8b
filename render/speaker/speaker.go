// Package speaker plays audio on a sound device through miniaudio (malgo).
//
// The device pulls: miniaudio calls back from its own thread whenever it
// wants more samples, and the Source fills them, so the source paces itself
// to the sound card's clock.
package speaker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/pigeon-call/pigeon/internal/sound"
)

// Null names miniaudio's null device: it consumes samples in real time and
// plays them nowhere, for tests and benchmarks on machines without sound.
const Null = "null"

var (
	// ErrNoSound means no sound system or no playback device could be opened.
	ErrNoSound = errors.New("no sound device")
	// ErrNoSuchDevice means no playback device has the name asked for.
	ErrNoSuchDevice = errors.New("no such speaker")
)

// Source fills pcm (interleaved signed 16-bit samples) completely. It runs
// on the audio thread: it must not block.
type Source func(pcm []int16)

// Options configure a Speaker. The zero value plays 48 kHz mono on the
// system's default device.
type Options struct {
	// Device picks a playback device by a part of its name or by its ID, as
	// Devices reports them; "" is the system's default and Null discards.
	Device     string
	SampleRate int // 48000 unless set
	Channels   int // 1 unless set

	// Played, if set, is handed each buffer the Source filled, with when
	// its first sample will be heard: now and the device's latency. An echo
	// canceller wants what the room hears and when. It runs on the audio
	// thread after the Source, and must not block.
	Played func(pcm []int16, heard time.Time)
}

// Device is a playback device.
type Device struct {
	ID, Name  string
	IsDefault bool
}

// Speaker is an open playback device.
type Speaker struct {
	ctx     *malgo.AllocatedContext
	dev     *malgo.Device
	name    string
	latency time.Duration
	closed  sync.Once
}

// Devices lists the playback devices of the first sound system that answers.
func Devices() ([]Device, error) {
	ctx, err := sound.Open(sound.Backends())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoSound, err)
	}
	defer sound.Close(ctx)
	infos, err := ctx.Devices(malgo.Playback)
	if err != nil {
		return nil, fmt.Errorf("%w: listing devices: %v", ErrNoSound, err)
	}
	devices := make([]Device, len(infos))
	for i, info := range infos {
		devices[i] = Device{ID: info.ID.String(), Name: info.Name(), IsDefault: info.IsDefault != 0}
	}
	return devices, nil
}

// Open opens the device and starts playing what src gives.
func Open(src Source, opts Options) (*Speaker, error) {
	if opts.SampleRate == 0 {
		opts.SampleRate = 48000
	}
	if opts.Channels == 0 {
		opts.Channels = 1
	}
	list := sound.Backends()
	if opts.Device == Null {
		list = []malgo.Backend{sound.Null}
	}
	ctx, err := sound.Open(list)
	if err != nil {
		return nil, fmt.Errorf("%w: no sound system answered (%v)", ErrNoSound, err)
	}
	s := &Speaker{ctx: ctx, name: "default"}

	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.Playback.Format = malgo.FormatS16
	cfg.Playback.Channels = uint32(opts.Channels)
	cfg.SampleRate = uint32(opts.SampleRate)
	// 10 ms periods: short enough to add little delay, long enough not to
	// underrun on a busy machine.
	cfg.PeriodSizeInMilliseconds = 10
	cfg.Periods = 3
	if opts.Device != "" && opts.Device != Null {
		info, err := s.find(opts.Device)
		if err != nil {
			s.free()
			return nil, err
		}
		cfg.Playback.DeviceID = info.ID.Pointer()
		s.name = info.Name()
	}
	if opts.Device == Null {
		s.name = Null
	}

	var pcm []int16
	// Known once the device is made, and read on its thread, which C
	// starts: atomic, so that the race detector sees the order too.
	var latency atomic.Int64
	dev, lat, err := sound.InitDevice(ctx, cfg, malgo.DeviceCallbacks{
		Data: func(out, _ []byte, frames uint32) {
			n := int(frames) * opts.Channels
			if cap(pcm) < n {
				pcm = make([]int16, n)
			}
			pcm = pcm[:n]
			src(pcm)
			for i, v := range pcm {
				binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
			}
			if opts.Played != nil {
				opts.Played(pcm, time.Now().Add(time.Duration(latency.Load())))
			}
		},
	})
	s.dev, s.latency = dev, lat
	latency.Store(int64(lat))
	if err != nil {
		s.free()
		return nil, fmt.Errorf("%w: opening %s: %v", ErrNoSound, s.name, err)
	}
	if err := s.dev.Start(); err != nil {
		s.dev.Uninit()
		s.free()
		return nil, fmt.Errorf("%w: starting %s: %v", ErrNoSound, s.name, err)
	}
	return s, nil
}

// find picks the playback device that name names.
func (s *Speaker) find(name string) (malgo.DeviceInfo, error) {
	infos, err := s.ctx.Devices(malgo.Playback)
	if err != nil {
		return malgo.DeviceInfo{}, fmt.Errorf("%w: listing devices: %v", ErrNoSound, err)
	}
	for _, info := range infos {
		if info.ID.String() == name {
			return info, nil
		}
	}
	var names []string
	for _, info := range infos {
		if strings.Contains(strings.ToLower(info.Name()), strings.ToLower(name)) {
			return info, nil
		}
		names = append(names, fmt.Sprintf("%q", info.Name()))
	}
	return malgo.DeviceInfo{}, fmt.Errorf("%w %q: the speakers are %s", ErrNoSuchDevice, name, strings.Join(names, ", "))
}

// Name is the device's name, as the sound system gives it.
func (s *Speaker) Name() string { return s.name }

// Latency is how long a sample takes from the Source to the speaker, as the
// sound system reports it.
func (s *Speaker) Latency() time.Duration { return s.latency }

// Close stops playing and releases the device. The source is not called
// after Close returns.
func (s *Speaker) Close() error {
	s.closed.Do(func() {
		s.dev.Uninit() // stops the device and waits for its thread
		s.free()
	})
	return nil
}

func (s *Speaker) free() { sound.Close(s.ctx) }
