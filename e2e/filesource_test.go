package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render"
)

// Thumbnails compare pictures: 64x48 is enough to tell the pictures of
// a clip apart, and small enough that VP8's losses do not matter.
const thumbW, thumbH = 64, 48

// TestCallSendsMediaFiles makes a call in which each side plays files in
// place of a camera and a microphone: the caller an IVF clip (320x240,
// scaled up into the call's picture) and Ogg Opus speech, the callee a
// Y4M clip and WAV speech (22.05 kHz, as espeak-ng writes it). Each
// side's recording holds the other's files: every picture is one of the
// clip's, in the clip's order, one after the other at the clip's own
// pace and round again with no jump, and the sound is the speech,
// unbroken across its loop.
func TestCallSendsMediaFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("a call of 8 seconds")
	}
	dir := t.TempDir()
	files := map[string]string{
		"caller video": mediatest.NaturalVideo(t, "clip.ivf", 320, 240, 15, 2*time.Second),
		"caller audio": mediatest.Speech(t, "speech.ogg"),
		"callee video": mediatest.NaturalVideo(t, "clip.y4m", 640, 480, 10, 2*time.Second),
		"callee audio": mediatest.Speech(t, "speech.wav"),
	}
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	common := []string{"--interface", "lo", "--view", "none", "--speaker", "none"}
	caller := start(t, args([]string{"call", "--signal-out", offer, "--signal-in", answer,
		"--video", files["caller video"], "--audio", files["caller audio"],
		"--record", filepath.Join(dir, "caller"), "--duration", "8s"}, common)...)
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--video", files["callee video"], "--audio", files["callee audio"],
		"--record", filepath.Join(dir, "callee")}, common)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: sending the video clip.ivf (IVF VP8 320x240 at 15 fps, looped) and the sound speech.ogg (Ogg Opus, mono, looped)")
	waitOutput(t, "callee", callee.stderr, "pigeon: sending the video clip.y4m (Y4M 640x480 420jpeg at 10 fps, looped) and the sound speech.wav (WAV 16-bit PCM, 22050 Hz, mono, looped)")
	if code := caller.exit(t, 30*time.Second); code != 0 {
		t.Fatalf("caller exit code %d; stderr:\n%s", code, caller.stderr)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("callee exit code %d; stderr:\n%s", code, callee.stderr)
	}
	for _, c := range []struct{ sender, receiver string }{{"caller", "callee"}, {"callee", "caller"}} {
		t.Run(c.sender+"'s video", func(t *testing.T) {
			checkClip(t, filepath.Join(dir, c.receiver, render.VideoFile), files[c.sender+" video"])
			checkPace(t, map[string]*proc{"caller": caller, "callee": callee}[c.receiver].stderr.String(),
				map[string]float64{"caller": 15, "callee": 10}[c.sender])
		})
		t.Run(c.sender+"'s sound", func(t *testing.T) {
			checkSpeech(t, filepath.Join(dir, c.receiver, render.AudioFile), files[c.sender+" audio"])
		})
	}
}

// checkClip checks that the recording at path shows the clip: each
// picture is one of the clip's, each further on in it than the one
// before (the next one, but where a machine that stalled dropped some),
// and the first comes again after the last.
func checkClip(t *testing.T, path, clip string) {
	t.Helper()
	want, err := mediatest.GrayFrames(clip, thumbW, thumbH)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mediatest.GrayFrames(path, thumbW, thumbH)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2*len(want) {
		t.Fatalf("the recording holds %d pictures, want more than the clip's %d twice over", len(got), len(want))
	}
	var ks []int
	worst := 100.0
	for i, pic := range got {
		k, psnr := mediatest.NearestFrame(pic, want)
		if psnr < 25 {
			t.Fatalf("picture %d of the recording is like none of the clip's: at best its %d, at %.1f dB", i, k, psnr)
		}
		worst = min(worst, psnr)
		ks = append(ks, k)
	}
	next, wraps, seamless := 0, 0, 0
	for i := 1; i < len(ks); i++ {
		step := (ks[i] - ks[i-1] + len(want)) % len(want)
		if step == 0 || step > len(want)/2 {
			t.Fatalf("the recording goes from the clip's picture %d to %d (pictures %d and %d): %v", ks[i-1], ks[i], i-1, i, ks)
		}
		if step == 1 {
			next++
		}
		if ks[i] < ks[i-1] {
			wraps++
			if step == 1 {
				seamless++
			}
		}
	}
	if next < (len(ks)-1)*4/5 {
		t.Errorf("%d of %d steps go on to the next picture, want four in five: %v", next, len(ks)-1, ks)
	}
	if wraps < 2 || seamless < 1 {
		t.Errorf("the clip started over %d times in the recording, %d of them from its last picture to its first; want 2, and 1: %v",
			wraps, seamless, ks)
	}
	t.Logf("%d pictures, each one of the clip's %d (%.1f dB at worst), %d steps to the next, %d loops (%d from the last picture to the first)",
		len(ks), len(want), worst, next, wraps, seamless)
}

// checkPace checks that the side that wrote stderr received video at the
// clip's frame rate, not the call's: no faster, and no slower than half.
func checkPace(t *testing.T, stderr string, fps float64) {
	t.Helper()
	m := regexp.MustCompile(`received video VP8 640x480: .* decoded \(([0-9.]+) fps\)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no line says how many pictures arrived:\n%s", stderr)
	}
	got, _ := strconv.ParseFloat(m[1], 64)
	if got > fps*1.1 || got < fps/2 {
		t.Errorf("pictures arrived at %.1f fps, want the clip's %.0f", got, fps)
	}
}

// checkSpeech checks that the recording at path is the speech in sound,
// looped: every half second with speech in it is the speech, at the place
// that the time since the last says, across the loop too.
func checkSpeech(t *testing.T, path, sound string) {
	t.Helper()
	const rate = 8000
	ref, err := mediatest.DecodeSound(sound, rate)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mediatest.DecodeSound(path, rate)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2*len(ref) {
		t.Fatalf("the recording holds %.1f s of sound, want twice the speech's %.1f s",
			float64(len(got))/rate, float64(len(ref))/rate)
	}
	const window = rate / 2
	found, lastAt, lastOffset := 0, 0, 0
	var corrs []string
	for at := 0; at+window <= len(got); at += window {
		w := got[at : at+window]
		if mediatest.RMS(w) < 0.01 {
			continue // between words
		}
		var offset int
		var corr float64
		if found == 0 {
			offset, corr = mediatest.BestOffset(w, ref, 0, len(ref))
		} else {
			// Where the speech has got to, if nothing was lost or repeated.
			predicted := lastOffset + at - lastAt
			offset, corr = mediatest.BestOffset(w, ref, predicted-rate/20, predicted+rate/20)
			if d := (offset - predicted%len(ref) + len(ref)) % len(ref); d > rate/100 && d < len(ref)-rate/100 {
				t.Errorf("at %.1f s the recording is %d ms off where the speech had got to", float64(at)/rate, d*1000/rate)
			}
		}
		if corr < 0.7 {
			t.Errorf("at %.1f s the recording correlates %.2f with the speech at best, want 0.7", float64(at)/rate, corr)
		}
		corrs = append(corrs, fmt.Sprintf("%.2f", corr))
		found, lastAt, lastOffset = found+1, at, offset
	}
	if found*window < len(got)/2 {
		t.Errorf("%d half seconds of %.1f s have speech in them", found, float64(len(got))/rate)
	}
	t.Logf("%.1f s of sound, the speech %.1f s long; correlations %s", float64(len(got))/rate, float64(len(ref))/rate, strings.Join(corrs, " "))
}

// TestSourceSwitchesToAVideoFile switches the caller's test picture to a
// red Y4M clip with /source FILE: the callee's recording ends on red.
func TestSourceSwitchesToAVideoFile(t *testing.T) {
	mediatest.RequireTools(t, "ffmpeg")
	dir := t.TempDir()
	red := filepath.Join(dir, "red.y4m")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=320x240:r=15",
		"-t", "1", "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", red).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, "call", "--signal-out", offer, "--signal-in", answer,
		"--video", "test", "--audio", "none", "--interface", "lo", "--view", "none")
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--record", filepath.Join(dir, "callee"), "--view", "none"}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: receiving video")

	fmt.Fprintln(caller.stdin, "/source "+filepath.Join(dir, "missing.y4m"))
	waitOutput(t, "caller's /source of a missing file", caller.stderr, "no source or file has that name")
	fmt.Fprintln(caller.stdin, "/source "+red)
	waitOutput(t, "caller's /source", caller.stderr, "pigeon: sending the video red.y4m (Y4M 320x240 420jpeg at 15 fps, looped)")
	endOnPicture(t, caller, callee, filepath.Join(dir, "callee"), "red", isRed)
}

// TestMediaFilesThatCannotPlay starts pigeon with files it cannot play:
// each stops it with one line that says why and what to do, and the exit
// code the README gives; a file damaged further on ends the video in a
// call that goes on.
func TestMediaFilesThatCannotPlay(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a video\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	speech := mediatest.Speech(t, "speech.wav")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--video", text, "--audio", "none"}, 3, "it is not a video file pigeon plays (Y4M, or IVF with VP8): pigeon plays"},
		{[]string{"--video", "none", "--audio", text}, 3, "it is not a sound file pigeon plays (WAV, or Ogg Opus)"},
		{[]string{"--video", speech, "--audio", "none"}, 3, "it holds sound, not video: give it to --audio"},
		{[]string{"--video", filepath.Join(dir, "clip.y4m"), "--audio", "none"}, 2, "no file has that name"},
		{[]string{"--video", "none", "--audio", "speach.wav"}, 2, "no file has that name"},
	} {
		p := start(t, append([]string{"call", "--signal-out", filepath.Join(dir, "offer")}, c.args...)...)
		if code := p.exit(t, 10*time.Second); code != c.code {
			t.Errorf("%v: exit code %d, want %d; stderr:\n%s", c.args, code, c.code, p.stderr)
			continue
		}
		last := lastLine(p.stderr.String())
		if !strings.HasPrefix(last, "pigeon: ") || !strings.Contains(last, c.want) || strings.Contains(p.stderr.String(), "goroutine ") {
			t.Errorf("%v: last line %q, want a pigeon: line saying %q", c.args, last, c.want)
		}
	}

	// Ten pictures, the last cut short: the video stops within the first
	// loop, and the chat goes on.
	var y4m []byte
	y4m = append(y4m, "YUV4MPEG2 W64 H48 F10:1 C420jpeg\n"...)
	for i := range 10 {
		y4m = append(y4m, "FRAME\n"...)
		y4m = append(y4m, bytes.Repeat([]byte{byte(40 + 10*i)}, 64*48*3/2)...)
	}
	damaged := filepath.Join(dir, "damaged.y4m")
	if err := os.WriteFile(damaged, y4m[:len(y4m)-1000], 0o600); err != nil {
		t.Fatal(err)
	}
	offer, answer := mkfifo(t, filepath.Join(dir, "offer2")), mkfifo(t, filepath.Join(dir, "answer2"))
	caller := start(t, "call", "--signal-out", offer, "--signal-in", answer,
		"--video", damaged, "--audio", "none", "--interface", "lo", "--view", "none")
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer, "--view", "none"}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: the video stopped: cannot play the media file "+damaged+": frame 10: cut short")
	fmt.Fprintln(caller.stdin, "still here")
	waitOutput(t, "callee's chat", callee.stdout, "still here\n")
	caller.stdin.Close()
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d; stderr:\n%s", code, callee.stderr)
	}
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d; stderr:\n%s", code, caller.stderr)
	}
}
