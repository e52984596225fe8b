package render

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render/picture"
)

// liveVideo is the test picture as a call sends it: width x height at 30
// fps through libvpx, for n frames.
func liveVideo(t testing.TB, width, height, n int) *mediatest.LiveTrack {
	t.Helper()
	src := capture.NewTestVideo(width, height, 30)
	t.Cleanup(func() { src.Close() })
	track, err := mediatest.NewLiveVP8Track(src, width, height, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { track.Close() })
	return track
}

// liveAudio is the test tone as a call sends it: 20 ms packets through
// libopus, in real time, for n packets.
func liveAudio(t testing.TB, n int) *mediatest.LiveTrack {
	t.Helper()
	src := capture.NewTestAudio()
	t.Cleanup(func() { src.Close() })
	track, err := mediatest.NewLiveOpusTrack(src, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { track.Close() })
	return track
}

// firstPacket is a track that notes when it gave its first packet.
type firstPacket struct {
	Track
	at time.Time
}

func (f *firstPacket) ReadRTP() (*rtp.Packet, interceptor.Attributes, error) {
	p, a, err := f.Track.ReadRTP()
	if err == nil && f.at.IsZero() {
		f.at = time.Now()
	}
	return p, a, err
}

// play plays the tracks at once, as a call does, until they end.
func play(t testing.TB, out *Output, tracks ...Track) {
	t.Helper()
	errs := make(chan error, len(tracks))
	for _, tr := range tracks {
		go func() { errs <- out.Play(tr) }()
	}
	for range tracks {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// pcmRecorder keeps what the speaker played.
type pcmRecorder struct {
	mu  sync.Mutex
	pcm []int16
}

func (r *pcmRecorder) tap(pcm []int16) {
	r.mu.Lock()
	r.pcm = append(r.pcm, pcm...)
	r.mu.Unlock()
}

func (r *pcmRecorder) samples() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.pcm...)
}

// TestSpeakerPlaysTheTone plays the test tone through the jitter buffer into
// miniaudio's null device, and listens to what was played.
func TestSpeakerPlaysTheTone(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 1.5 s of audio in real time")
	}
	var played pcmRecorder
	var warnings []error
	out, err := New(Options{Speaker: SpeakerNull, pcmTap: played.tap, Warn: func(err error) { warnings = append(warnings, err) }})
	if err != nil {
		t.Fatal(err)
	}
	track := liveAudio(t, 75)
	// Every 25th packet lost.
	track.Drop = func(n int, _ *rtp.Packet) bool { return n%25 == 24 }
	play(t, out, track)
	// The buffer's depth plays out after the last packet.
	mediatest.WaitUntil(t, 5*time.Second, "the speaker plays the whole tone", func() bool {
		pcm := played.samples()
		start := firstSound(pcm)
		return start >= 0 && len(pcm)-start >= 72*960
	})
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if len(warnings) > 0 {
		t.Fatalf("warnings: %v", warnings)
	}
	pcm := played.samples()
	start := firstSound(pcm)
	if start < 0 {
		t.Fatal("the speaker played nothing")
	}
	// From the first sound to the end of what was sent.
	sent := 72 * 960 // 75 packets less the three lost, at 48 kHz
	if len(pcm)-start < sent {
		t.Fatalf("played %d samples of sound, want at least %d", len(pcm)-start, sent)
	}
	tone := pcm[start : start+sent]
	if hz := mediatest.ToneHz(tone, 48000); math.Abs(hz-capture.TestToneHz) > 3 {
		t.Errorf("the speaker played %.1f Hz, want %d Hz", hz, capture.TestToneHz)
	}
	// Concealment covers the lost packets; a gap would be a click.
	if gap := mediatest.LongestGap(tone, 48000); gap > time.Duration(jitterDepth)*20*time.Millisecond {
		t.Errorf("a gap of %v in the tone, longer than the jitter buffer", gap)
	}
	// The last packet lost is the end of the track: nothing follows it to
	// say it was lost, nor is concealed.
	st := out.Stats()[0]
	if st.Played < 60 || st.Concealed < 2 {
		t.Errorf("stats %+v: want about 72 played and 2 concealed", st)
	}
	t.Logf("%s; start after %v", st, time.Duration(start)*time.Second/48000)
}

// TestNoSoundCardCarriesOn asks for a speaker that cannot be had: the call
// goes on, with a warning that says why.
func TestNoSoundCardCarriesOn(t *testing.T) {
	var warnings []error
	out, err := New(Options{Speaker: "no such speaker, surely", Warn: func(err error) { warnings = append(warnings, err) }})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := out.Play(opusTrack(20)); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !(errors.Is(warnings[0], ErrNoSound) || errors.Is(warnings[0], ErrNoSuchSpeaker)) {
		t.Fatalf("warnings %v, want one saying there is no such speaker or no sound", warnings)
	}
	t.Log(warnings[0])
	if st := out.Stats(); st[0].Packets != 20 {
		t.Errorf("stats %+v, want 20 packets counted without sound", st)
	}
}

// TestTerminalShowsTheCall plays a live video track to the terminal view and
// replays what was written in a terminal emulator.
func TestTerminalShowsTheCall(t *testing.T) {
	var term syncBuffer
	out, err := New(Options{View: ViewTerminal, Terminal: &term, TerminalSize: func() (int, int) { return 80, 24 },
		Speaker: SpeakerNone})
	if err != nil {
		t.Fatal(err)
	}
	out.SetStatus("connected")
	play(t, out, liveVideo(t, 320, 240, 10))
	// The view draws the pictures in its own time, the last one wins.
	mediatest.WaitUntil(t, 5*time.Second, "the terminal shows a picture", func() bool {
		return strings.Contains(term.String(), "▀") && strings.Contains(term.String(), "connected")
	})
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	screen := mediatest.NewTerminal(80, 24)
	if err := screen.Write(term.String()); err != nil {
		t.Fatal(err)
	}
	// Close erased the picture; replay up to the last frame instead.
	screen = mediatest.NewTerminal(80, 24)
	all := term.String()
	if err := screen.Write(all[:bytes.LastIndex([]byte(all), []byte("\x1b7\x1b[0m\x1b[r"))]); err != nil {
		t.Fatal(err)
	}
	// 4 rows left to the caller and one of status: 19 rows, 38 pixels high,
	// 50 wide from column 15.
	if err := barsAcross(screen.Top[10], 15, 65, testBars(t)); err != nil {
		t.Error(err)
	}
	for _, x := range []int{0, 14, 65, 79} {
		if c := screen.Top[10][x]; c != ([3]uint8{}) {
			t.Errorf("column %d is %v, want the black of the letterbox", x, c)
		}
	}
	if got := string([]rune(screen.Text[19])[:9]); got != "connected" {
		t.Errorf("status row starts %q, want the status", got)
	}
}

// testBars are the test picture's bars in RGB.
func testBars(t testing.TB) [][3]uint8 {
	src := capture.NewTestVideo(700, 40, 1000)
	defer src.Close()
	var img image.Image
	for range 17 { // the stripe clear of the middle of the bars
		img, _, _ = src.Read()
	}
	var bars [][3]uint8
	for i := range 7 {
		c := picture.Color(img, 50+100*i, 30) // below the time stamp
		bars = append(bars, [3]uint8{c.R, c.G, c.B})
	}
	return bars
}

// barsAcross checks that row shows the seven bars from x0 to x1, each where
// it belongs: a good part of each seventh of the span has its bar's colour
// (the moving stripe may cover the rest).
func barsAcross(row [][3]uint8, x0, x1 int, bars [][3]uint8) error {
	w := x1 - x0
	for i, want := range bars {
		from, to := x0+i*w/7+1, x0+(i+1)*w/7-1
		match := 0
		for x := from; x < to; x++ {
			if near(row[x], want, 40) {
				match++
			}
		}
		if match < max((to-from)/4, 1) {
			return fmt.Errorf("bar %d (columns %d-%d) is not %v: %v", i, from, to, want, row[from:to])
		}
	}
	return nil
}

func near(a, b [3]uint8, tol int) bool {
	for i := range a {
		if d := int(a[i]) - int(b[i]); d > tol || d < -tol {
			return false
		}
	}
	return true
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWindowShowsTheCall runs a call's remote video and self-view into the
// window under Xvfb, and looks at a screenshot.
func TestWindowShowsTheCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb")
	}
	mediatest.RequireTools(t, "Xvfb", "ffmpeg")
	t.Setenv("DISPLAY", mediatest.StartXvfb(t, 800, 600))

	out, err := New(Options{View: ViewWindow, Speaker: SpeakerNone})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	local, err := capture.Open(capture.Options{Video: capture.Test, Audio: capture.None, Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	local.Preview(out.ShowLocal)
	out.SetStatus("connected")
	play(t, out, liveVideo(t, 640, 480, 20))

	// The X server shows the last frame presented in its own time.
	var shot image.Image
	mediatest.WaitUntil(t, 5*time.Second, "the window shows the call", func() bool {
		var err error
		if shot, err = mediatest.Screenshot(os.Getenv("DISPLAY"), 800, 600); err != nil {
			t.Fatal(err)
		}
		return lit(shot).Dx() == 640 && lit(shot).Dy() == 500
	})
	win := lit(shot)
	if win.Dx() != 640 || win.Dy() != 500 {
		mediatest.SavePNG(t, "call-window.png", shot)
		t.Fatalf("the window on the screen is %v, want 640x500", win)
	}
	// The remote picture fills the window; the self-view sits in the
	// bottom right corner, 160x120, 10 pixels in.
	bars := testBars(t)
	for name, span := range map[string][3]int{"remote picture": {0, 640, 100}, "self-view": {470, 630, 410}} {
		var row [][3]uint8
		for x := range win.Min.X + span[1] {
			c := picture.Color(shot, x, win.Min.Y+span[2])
			row = append(row, [3]uint8{c.R, c.G, c.B})
		}
		if err := barsAcross(row, win.Min.X+span[0], win.Min.X+span[1], bars); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if t.Failed() || os.Getenv("PIGEON_TEST_PICTURES") != "" {
		mediatest.SavePNG(t, "call-window.png", shot)
	}
	st := out.Stats()[0]
	if st.Decoded != 20 {
		t.Errorf("decoded %d frames, want 20", st.Decoded)
	}
}

// lit is the bounding box of the pixels of shot that are not black.
func lit(shot image.Image) image.Rectangle {
	var r image.Rectangle
	b := shot.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := picture.Color(shot, x, y); c.R > 8 || c.G > 8 || c.B > 8 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// TestRecordWebM records a live call's two tracks to one WebM file, and has
// ffprobe and ffmpeg read it.
func TestRecordWebM(t *testing.T) {
	if testing.Short() {
		t.Skip("records 2 s of a call in real time")
	}
	mediatest.RequireTools(t, "ffprobe", "ffmpeg")
	path := filepath.Join(t.TempDir(), "call.webm")
	out, err := New(Options{RecordFile: path, Speaker: SpeakerNone})
	if err != nil {
		t.Fatal(err)
	}
	video, audio := &firstPacket{Track: liveVideo(t, 320, 240, 60)}, &firstPacket{Track: liveAudio(t, 100)}
	start := time.Now()
	play(t, out, video, audio)
	length := time.Since(start)
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	probe, err := mediatest.FFProbe(path)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range probe.Streams {
		kinds = append(kinds, s.CodecType+"/"+s.CodecName)
	}
	if len(kinds) != 2 || kinds[0] != "video/vp8" || kinds[1] != "audio/opus" {
		t.Errorf("ffprobe finds %v, want video/vp8 and audio/opus", kinds)
	}
	if d := probe.Duration(); d < length-300*time.Millisecond || d > length+100*time.Millisecond {
		t.Errorf("the recording lasts %v, the call %v", d, length)
	}
	// In step: each track starts in the file where its first packet came
	// in the call (the test picture's first frame, encoded under -race on a
	// busy machine, may come a good part of a second after the first sound).
	starts := map[string]float64{}
	for _, s := range probe.Streams {
		starts[s.CodecType], _ = strconv.ParseFloat(s.StartTime, 64)
	}
	if first := min(starts["video"], starts["audio"]); first > 0.02 {
		t.Errorf("the recording starts at %.3f s, not with its first packet", first)
	}
	inCall := video.at.Sub(audio.at).Seconds()
	if inFile := starts["video"] - starts["audio"]; math.Abs(inFile-inCall) > 0.04 {
		t.Errorf("the video starts %.3f s after the sound in the recording, %.3f s after it in the call: out of step",
			inFile, inCall)
	}
	if err := mediatest.FFmpegDecode(path); err != nil {
		t.Error(err)
	}
	t.Logf("%s: %+v, %v long, the video %.3f s after the sound", path, kinds, probe.Duration(), inCall)
}

// TestRecordWebMSaysVideoAddedLaterIsLeftOut plays audio alone until the
// WebM header is written without video, then video, as when the peer adds
// it mid-call: the video is played but not recorded, the audio still is,
// and the person is told once why.
func TestRecordWebMSaysVideoAddedLaterIsLeftOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.webm")
	var mu sync.Mutex
	var warnings []string
	out, err := New(Options{RecordFile: path, Speaker: SpeakerNone, Warn: func(err error) {
		mu.Lock()
		warnings = append(warnings, err.Error())
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	out.webm.TrackWait = 100 * time.Millisecond
	play(t, out, liveAudio(t, 10))
	play(t, out, liveVideo(t, 160, 120, 10), liveAudio(t, 10))
	var decoded int
	for _, st := range out.Stats() {
		if st.Kind == webrtc.RTPCodecTypeVideo {
			decoded = st.Decoded
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if decoded == 0 {
		t.Error("the video added later was not decoded")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "the video is not recorded in "+path) ||
		!strings.Contains(warnings[0], "record to a directory") {
		t.Fatalf("warned %q, want one warning that the video is not recorded", warnings)
	}
}
