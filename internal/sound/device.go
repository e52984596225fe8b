package sound

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gen2brain/malgo"
)

// contexts holds, for each context Open made, what miniaudio logs on it.
var contexts sync.Map // *malgo.AllocatedContext → *deviceLog

// deviceLog collects what miniaudio says while a device is initialised: the
// only place it tells the buffer sizes it settled on.
type deviceLog struct {
	init  sync.Mutex // one InitDevice at a time on a context
	mu    sync.Mutex
	lines []string
}

func (l *deviceLog) add(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lines != nil {
		l.lines = append(l.lines, strings.TrimRight(msg, "\n"))
	}
}

// InitDevice initialises a device on ctx, a context Open made, as
// malgo.InitDevice does, and returns how long sound takes to pass through
// its buffers: for playback, from the data callback to the speaker, for the
// first sample the callback hands over; for capture, from the microphone to
// the callback, for the first sample the callback is handed. The figures
// are the sound system's, as miniaudio reports them (on PulseAudio, the
// stream's target length and fragment size); zero when it reported none.
func InitDevice(ctx *malgo.AllocatedContext, cfg malgo.DeviceConfig, cb malgo.DeviceCallbacks) (*malgo.Device, time.Duration, error) {
	v, ok := contexts.Load(ctx)
	if !ok {
		dev, err := malgo.InitDevice(ctx.Context, cfg, cb)
		return dev, 0, err
	}
	l := v.(*deviceLog)
	l.init.Lock()
	defer l.init.Unlock()
	l.mu.Lock()
	l.lines = []string{}
	l.mu.Unlock()
	dev, err := malgo.InitDevice(ctx.Context, cfg, cb)
	l.mu.Lock()
	lines := l.lines
	l.lines = nil
	l.mu.Unlock()
	if err != nil {
		return nil, 0, err
	}
	return dev, latency(lines, cfg.DeviceType == malgo.Capture), nil
}

// latency reads a device's latency from what miniaudio logged as it
// initialised it: the generic "Buffer Size: PERIOD*PERIODS" of the device's
// section, or PulseAudio's stream attributes where it logged them, since
// miniaudio counts the whole of PulseAudio's buffer there, not what is
// kept filled.
func latency(lines []string, capture bool) time.Duration {
	kind := "Playback"
	if capture {
		kind = "Capture"
	}
	var (
		rate, period, periods             int
		pulseBytes, frameBytes, pulseRate int
		section                           bool // in the lines on this device's direction
	)
	pulse := "[PulseAudio] " + kind + " "
	for _, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, pulse+"sample spec: format="):
			spec := strings.TrimPrefix(t, pulse+"sample spec: format=")
			if format, rest, ok := strings.Cut(spec, ", channels="); ok {
				var channels int
				if _, err := fmt.Sscanf(rest, "%d, rate=%d", &channels, &pulseRate); err == nil {
					frameBytes = channels * sampleBytes(format)
				}
			}
		case strings.HasPrefix(t, pulse+"actual attr:"):
			var maxlength, tlength, prebuf, minreq, fragsize int
			if _, err := fmt.Sscanf(strings.TrimPrefix(t, pulse+"actual attr:"),
				" maxlength=%d, tlength=%d, prebuf=%d, minreq=%d, fragsize=%d",
				&maxlength, &tlength, &prebuf, &minreq, &fragsize); err == nil {
				pulseBytes = tlength
				if capture {
					pulseBytes = fragsize
				}
			}
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			section = strings.HasSuffix(t, "("+kind+")") // a device's name and direction
		case section && strings.HasPrefix(t, "Sample Rate:"):
			var from, to int
			if _, err := fmt.Sscanf(t, "Sample Rate: %d -> %d", &from, &to); err == nil {
				rate = to // playback converts to the device's rate
				if capture {
					rate = from
				}
			}
		case section && strings.HasPrefix(t, "Buffer Size:"):
			fmt.Sscanf(t, "Buffer Size: %d*%d", &period, &periods)
		}
	}
	frames := func(n, rate int) time.Duration {
		if rate <= 0 {
			return 0
		}
		return time.Duration(n) * time.Second / time.Duration(rate)
	}
	switch {
	case pulseBytes > 0 && frameBytes > 0:
		return frames(pulseBytes/frameBytes, pulseRate)
	case capture:
		return frames(period, rate)
	default:
		return frames(period*periods, rate)
	}
}

// sampleBytes is the size of a sample in the format miniaudio names.
func sampleBytes(format string) int {
	switch {
	case strings.HasPrefix(format, "8-bit"):
		return 1
	case strings.HasPrefix(format, "16-bit"):
		return 2
	case strings.HasPrefix(format, "24-bit"):
		return 3
	default:
		return 4
	}
}
