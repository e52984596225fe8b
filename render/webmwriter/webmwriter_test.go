package webmwriter

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// key and inter are a tiny VP8 keyframe header (320x240) and an interframe.
var (
	key   = []byte{0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0x00}
	inter = []byte{0x31, 0x02, 0x00, 0x00}
	opus  = []byte{0xfc, 0xff, 0xfe}
)

// read returns the codecs of the file's streams, and their packets, as
// ffprobe sees them.
func read(t *testing.T, path string) ([]string, map[string][]mediatest.Packet) {
	t.Helper()
	mediatest.RequireTools(t, "ffprobe")
	probe, err := mediatest.FFProbe(path)
	if err != nil {
		t.Fatal(err)
	}
	packets, err := mediatest.FFProbePackets(path)
	if err != nil {
		t.Fatal(err)
	}
	var codecs []string
	for _, s := range probe.Streams {
		codecs = append(codecs, s.CodecName)
	}
	byCodec := map[string][]mediatest.Packet{}
	for _, p := range packets {
		byCodec[codecs[p.Stream]] = append(byCodec[codecs[p.Stream]], p)
	}
	return codecs, byCodec
}

func TestBothTracksOnOneTimeline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.webm")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	// Audio comes first; the header waits for a video keyframe; the
	// interframe before it cannot be decoded and is dropped.
	w.WriteAudio(opus, 0)
	w.WriteVideo(inter, 10*ms)
	w.WriteAudio(opus, 20*ms)
	w.WriteVideo(key, 33*ms)
	for i := 2; i < 50; i++ {
		w.WriteAudio(opus, time.Duration(i)*20*ms)
		if i%2 == 0 {
			w.WriteVideo(inter, time.Duration(i)*20*ms+13*ms)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	codecs, packets := read(t, path)
	if len(codecs) != 2 || codecs[0] != "vp8" || codecs[1] != "opus" {
		t.Fatalf("streams %v, want vp8 and opus", codecs)
	}
	video, audio := packets["vp8"], packets["opus"]
	if len(audio) != 50 || len(video) != 25 {
		t.Fatalf("%d audio and %d video packets, want 50 and 25", len(audio), len(video))
	}
	if !video[0].KeyFrame || video[0].PTS != 33*ms {
		t.Errorf("the first video packet is %+v, want the keyframe at 33 ms", video[0])
	}
	// ffmpeg takes Opus's decoder delay (6.5 ms) off its times.
	if first, last := audio[0].PTS+7*ms, audio[len(audio)-1].PTS+7*ms; first != 0 || last != 980*ms {
		t.Errorf("audio from %v to %v, want 0 to 980 ms", first, last)
	}
}

func TestOneTrackAfterTheWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audio.webm")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(0, 0)
	w.now = func() time.Time { return now }
	for i := range 200 {
		w.WriteAudio(opus, time.Duration(i)*20*time.Millisecond)
		now = now.Add(20 * time.Millisecond)
	}
	// Video that shows up after the header was written is left out, and
	// the writer says so.
	if err := w.WriteVideo(key, 4*time.Second); !errors.Is(err, ErrLeftOut) {
		t.Errorf("video after the header: %v, want ErrLeftOut", err)
	}
	w.WriteAudio(opus, 4*time.Second)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	codecs, packets := read(t, path)
	if len(codecs) != 1 || codecs[0] != "opus" || len(packets["opus"]) != 201 {
		t.Errorf("streams %v with %d audio packets, want opus alone with 201", codecs, len(packets["opus"]))
	}
}

func TestNothingRecordedLeavesAnEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.webm")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteVideo(inter, 0) // not a keyframe: dropped
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Errorf("stat %v, %v: want an empty file", fi, err)
	}
	if err := w.WriteAudio(opus, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("a write after Close: %v, want ErrClosed", err)
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func TestNeedsASeeker(t *testing.T) {
	if _, err := NewWith(nopCloser{&bytes.Buffer{}}); !errors.Is(err, ErrNotSeekable) {
		t.Errorf("got %v, want ErrNotSeekable", err)
	}
}

// fullDisk fails every write after the first n bytes.
type fullDisk struct {
	*os.File
	n int
}

var errFull = errors.New("no space left on device")

func (f *fullDisk) Write(p []byte) (int, error) {
	if f.n < len(p) {
		return 0, errFull
	}
	f.n -= len(p)
	return f.File.Write(p)
}

func TestAWriteErrorIsReportedNotPanicked(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "full.webm"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWith(&fullDisk{File: f, n: 2000})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		for i := range 500 {
			w.WriteVideo(key, time.Duration(i)*33*time.Millisecond)
			w.WriteAudio(opus, time.Duration(i)*33*time.Millisecond)
		}
		done <- w.Close()
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errFull) {
			t.Errorf("Close: %v, want the write error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the writer is stuck after a write error")
	}
}
