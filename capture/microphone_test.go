package capture

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/wave"

	"github.com/pigeon-call/pigeon/internal/sound"
)

// nullMicrophone is the capture device of miniaudio's null backend, which
// records silence in real time on any machine. Like ALSA's "null" device, it
// reports formats without channels; tests that record give it formats of a
// real microphone's, which miniaudio converts to.
func nullMicrophone(t *testing.T) *microphone {
	t.Helper()
	ctx, err := sound.Open([]malgo.Backend{sound.Null})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sound.Close(ctx) })
	devices, err := ctx.Devices(malgo.Capture)
	if err != nil || len(devices) == 0 {
		t.Fatalf("the null backend has no capture device: %v", err)
	}
	info, err := ctx.DeviceInfo(malgo.Capture, devices[0].ID, malgo.Shared)
	if err != nil {
		t.Fatal(err)
	}
	return &microphone{ctx: ctx, info: info}
}

// TestMicrophoneRecords: a microphone records 48 kHz mono in 20 ms chunks,
// as fast as time passes, and its reader ends when it is closed.
func TestMicrophoneRecords(t *testing.T) {
	m := nullMicrophone(t)
	m.info.Formats = []malgo.DataFormat{
		{Format: malgo.FormatS16, Channels: 2, SampleRate: 44100},
		{Format: malgo.FormatS16, Channels: 1, SampleRate: 48000},
		{Format: malgo.FormatF32, Channels: 1, SampleRate: 48000},
		{Format: malgo.FormatU8, Channels: 1, SampleRate: 8000}, // not one pigeon reads
	}
	if props := m.Properties(); len(props) != 3 {
		t.Errorf("properties %+v, want the three formats of 16-bit or float samples", props)
	}
	p, err := microphoneProp(m.Properties())
	if err != nil {
		t.Fatalf("the null microphone: %v (properties %+v)", err, m.Properties())
	}
	if p.SampleRate != 48000 || p.ChannelCount != 1 {
		t.Fatalf("chose %d Hz, %d channels; want 48000 Hz, mono", p.SampleRate, p.ChannelCount)
	}
	r, err := m.AudioRecord(p)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	samples := 0
	for range 25 {
		a, release, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		info := a.ChunkInfo()
		if info.SamplingRate != 48000 || info.Channels != 1 {
			t.Fatalf("a chunk of %+v, want 48000 Hz mono", info)
		}
		switch a.(type) {
		case *wave.Int16Interleaved, *wave.Float32Interleaved:
		default:
			t.Fatalf("a chunk of %T", a)
		}
		samples += info.Len
		release()
	}
	elapsed := time.Since(start)
	// 25 periods of 20 ms; miniaudio's null device keeps real time, give
	// or take its first periods.
	if got := time.Duration(samples) * time.Second / 48000; got < 400*time.Millisecond || got > 600*time.Millisecond {
		t.Errorf("25 chunks held %v of sound, want about 500ms", got)
	}
	// Up to microphoneQueue chunks may have waited for the first read on a
	// busy machine; the rest come as they are recorded.
	if least := time.Duration(25-microphoneQueue-1) * microphoneLatency * 3 / 4; elapsed < least {
		t.Errorf("25 chunks came in %v: faster than they were recorded (at least %v)", elapsed, least)
	}

	closeEndsReads(t, m, r)
	m.Close() // a second Close is harmless
}

// TestMicrophoneWithoutChannels: a device that reports no channels (ALSA's
// "null" device on a machine without a sound card) offers nothing to record.
func TestMicrophoneWithoutChannels(t *testing.T) {
	m := nullMicrophone(t)
	if props := m.Properties(); len(props) != 0 {
		t.Errorf("properties %+v, want none", props)
	}
	if _, err := microphoneProp(m.Properties()); err == nil {
		t.Error("a microphone with no channels was chosen")
	}
}

// TestMicrophonesAreLookedForWhenWanted: a process that uses the capture
// package has no microphone registered, and so no sound system opened,
// until it asks for one. It runs in a process of its own, where no other
// test asked first.
func TestMicrophonesAreLookedForWhenWanted(t *testing.T) {
	mics := driver.FilterAnd(driver.FilterAudioRecorder(), driver.FilterDeviceType(driver.Microphone))
	if os.Getenv("PIGEON_TEST_FRESH_PROCESS") == "1" {
		if d := driver.GetManager().Query(mics); len(d) != 0 {
			t.Fatalf("%d microphones registered before any was asked for", len(d))
		}
		registerMicrophonesOn([]malgo.Backend{sound.Null})
		if d := driver.GetManager().Query(mics); len(d) == 0 {
			t.Fatal("no microphone registered from the null backend")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMicrophonesAreLookedForWhenWanted$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PIGEON_TEST_FRESH_PROCESS=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("in a fresh process: %v\n%s", err, out)
	}
}

// closeEndsReads closes m while r reads its sound, and fails t unless the
// reads end in io.EOF soon after.
func closeEndsReads(t *testing.T, m io.Closer, r audio.Reader) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for {
			if _, _, err := r.Read(); err != nil {
				done <- err
				return
			}
		}
	}()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Errorf("after Close, Read = %v, want io.EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reads went on after Close")
	}
}
