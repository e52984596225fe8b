package sound

import (
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/pigeon-call/pigeon/internal/pulsetest"
)

// initDevice opens a 48 kHz mono device of kind on backends, with periods
// of period, and returns the latency InitDevice reports.
func initDevice(t *testing.T, backends []malgo.Backend, kind malgo.DeviceType, period time.Duration) time.Duration {
	t.Helper()
	ctx, err := Open(backends)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(ctx)
	cfg := malgo.DefaultDeviceConfig(kind)
	cfg.Playback.Format, cfg.Capture.Format = malgo.FormatS16, malgo.FormatS16
	cfg.Playback.Channels, cfg.Capture.Channels = 1, 1
	cfg.SampleRate = 48000
	cfg.PeriodSizeInMilliseconds = uint32(period.Milliseconds())
	cfg.Periods = 3
	dev, latency, err := InitDevice(ctx, cfg, malgo.DeviceCallbacks{Data: func(_, _ []byte, _ uint32) {}})
	if err != nil {
		t.Fatal(err)
	}
	dev.Uninit()
	return latency
}

// TestInitDeviceReportsLatency: a device's latency is what its sound
// system settled on: miniaudio's null device keeps three periods for
// playback and hands over one for capture; a PulseAudio server keeps about
// what was asked.
func TestInitDeviceReportsLatency(t *testing.T) {
	if got := initDevice(t, []malgo.Backend{Null}, malgo.Playback, 10*time.Millisecond); got != 30*time.Millisecond {
		t.Errorf("null playback: %v, want 30ms", got)
	}
	if got := initDevice(t, []malgo.Backend{Null}, malgo.Capture, 20*time.Millisecond); got != 20*time.Millisecond {
		t.Errorf("null capture: %v, want 20ms", got)
	}

	s := pulsetest.Start(t, pulsetest.Config{Sinks: []string{"room"}})
	s.Use(t)
	pulse := []malgo.Backend{malgo.BackendPulseaudio}
	if got := initDevice(t, pulse, malgo.Playback, 10*time.Millisecond); got < 5*time.Millisecond || got > 40*time.Millisecond {
		t.Errorf("PulseAudio playback: %v, want 5 to 40 ms", got)
	}
	if got := initDevice(t, pulse, malgo.Capture, 20*time.Millisecond); got < 10*time.Millisecond || got > 60*time.Millisecond {
		t.Errorf("PulseAudio capture: %v, want 10 to 60 ms", got)
	}
}

// TestLatencyFromLog: the figures come from the lines of the device's own
// direction, and PulseAudio's stream attributes come before miniaudio's
// count of its whole buffer.
func TestLatencyFromLog(t *testing.T) {
	alsa := []string{
		"[ALSA]",
		"  Default (Capture)",
		"    Sample Rate: 44100 -> 48000",
		"    Buffer Size: 882*2 (1764)",
		"  Default (Playback)",
		"    Sample Rate: 48000 -> 96000",
		"    Buffer Size: 960*3 (2880)",
	}
	if got := latency(alsa, true); got != 20*time.Millisecond {
		t.Errorf("capture: %v, want 20ms (882 frames at 44.1 kHz)", got)
	}
	if got := latency(alsa, false); got != 30*time.Millisecond {
		t.Errorf("playback: %v, want 30ms (3×960 frames at 96 kHz)", got)
	}
	pulse := []string{
		"[PulseAudio] Playback sample spec: format=16-bit Signed Integer, channels=2, rate=48000",
		"[PulseAudio] Playback actual attr: maxlength=11520, tlength=3840, prebuf=482, minreq=240, fragsize=960; internalPeriodSizeInFrames=360",
		"[PulseAudio]",
		"  Null Output (Playback)",
		"    Sample Rate: 48000 -> 48000",
		"    Buffer Size: 720*4 (2880)",
	}
	if got := latency(pulse, false); got != 20*time.Millisecond {
		t.Errorf("PulseAudio playback: %v, want 20ms (3840 bytes of 16-bit stereo at 48 kHz)", got)
	}
	if got := latency(nil, false); got != 0 {
		t.Errorf("nothing logged: %v, want 0", got)
	}
}
