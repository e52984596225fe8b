package mediatest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Realistic media for tests and benchmarks, made when they run rather than
// kept in the repository: speech that espeak-ng says, and video that
// compresses the way a camera's does. The test picture is flat colour bars
// that VP8 sends in ~90 kbit/s; the natural video keeps a 1 Mbit/s encoder
// busy.

// SpeechText is what the test speech says.
const SpeechText = "The quick brown fox jumps over the lazy dog."

// WriteSpeech writes SpeechText, said by espeak-ng, to path: for a .wav
// path espeak-ng's own WAV (22,050 Hz, mono, 16-bit), for .ogg the same
// made Ogg Opus by ffmpeg (libopus, 48 kHz mono).
func WriteSpeech(path string) error {
	switch filepath.Ext(path) {
	case ".wav":
		return run("espeak-ng", "-w", path, SpeechText)
	case ".ogg", ".opus":
		wav := strings.TrimSuffix(path, filepath.Ext(path)) + "-source.wav"
		if err := run("espeak-ng", "-w", wav, SpeechText); err != nil {
			return err
		}
		return run("ffmpeg", "-v", "error", "-y", "-i", wav, "-c:a", "libopus", "-b:a", "48k", path)
	}
	return fmt.Errorf("speech as %q: want .wav or .ogg", filepath.Ext(path))
}

// WriteNaturalVideo writes d of natural-looking, high-entropy video of
// width x height at frameRate frames a second to path: ffmpeg's
// Mandelbrot set, zoomed in fourfold over the clip (fine detail that moves
// in every frame, smooth colours), under a camera sensor's noise. VP8 at
// 1 Mbit/s spends all of its rate on it at 640x480 and 30 fps, where the
// test picture takes a tenth. For a .y4m path it is raw 4:2:0 in Y4M; for
// .ivf, VP8 at 2 Mbit/s in IVF.
func WriteNaturalVideo(path string, width, height, frameRate int, d time.Duration) error {
	// The zoom's end is counted in frames.
	frames := max(int(d.Seconds()*float64(frameRate)+0.5), 1)
	src := fmt.Sprintf("mandelbrot=size=%dx%d:rate=%d:start_scale=3:end_scale=0.75:end_pts=%d", width, height, frameRate, frames)
	args := []string{"-v", "error", "-y", "-f", "lavfi", "-i", src, "-t", strconv.FormatFloat(d.Seconds(), 'f', 3, 64),
		"-vf", "format=yuv420p,noise=alls=6:allf=t"}
	switch filepath.Ext(path) {
	case ".y4m":
		args = append(args, "-f", "yuv4mpegpipe")
	case ".ivf":
		// A keyframe only at the start, as a camera's encoder sends; the
		// file's first frame is one, which a loop starts from again.
		args = append(args, "-c:v", "libvpx", "-b:v", "2M", "-g", "1000", "-auto-alt-ref", "0", "-f", "ivf")
	default:
		return fmt.Errorf("natural video as %q: want .y4m or .ivf", filepath.Ext(path))
	}
	return run("ffmpeg", append(args, path)...)
}

// Speech writes the test speech to name (speech.wav or speech.ogg) in a
// directory of the test's, and returns its path. It skips the test when
// espeak-ng or ffmpeg is missing (scripts/setup.sh installs them).
func Speech(t testing.TB, name string) string {
	t.Helper()
	RequireTools(t, "espeak-ng", "ffmpeg")
	path := filepath.Join(t.TempDir(), name)
	if err := WriteSpeech(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// NaturalVideo writes natural video (see WriteNaturalVideo) to name
// (clip.y4m or clip.ivf) in a directory of the test's, and returns its
// path. It skips the test when ffmpeg is missing.
func NaturalVideo(t testing.TB, name string, width, height, frameRate int, d time.Duration) string {
	t.Helper()
	RequireTools(t, "ffmpeg")
	path := filepath.Join(t.TempDir(), name)
	if err := WriteNaturalVideo(path, width, height, frameRate, d); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(name string, args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// DecodeSound decodes the sound of the file at path with ffmpeg, as a
// player would, mixed to mono at rate samples a second.
func DecodeSound(path string, rate int) ([]int16, error) {
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-vn", "-ac", "1", "-ar", strconv.Itoa(rate),
		"-f", "s16le", "-").Output()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg decoding %s: %w: %s", path, err, stderrOf(err))
	}
	pcm := make([]int16, len(out)/2)
	binary.Read(bytes.NewReader(out), binary.LittleEndian, pcm)
	return pcm, nil
}

// GrayFrames decodes every picture of the video file at path with ffmpeg,
// each as it comes (none repeated or dropped to fit a frame rate), scaled
// to a w x h thumbnail of its luma (w and h even) as the file has it,
// limited range: enough to tell which picture of a clip a received one is.
func GrayFrames(path string, w, h int) ([][]byte, error) {
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-an", "-fps_mode", "passthrough",
		"-vf", fmt.Sprintf("scale=%d:%d:flags=area,format=yuv420p", w, h), "-f", "rawvideo", "-").Output()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg decoding %s: %w: %s", path, err, stderrOf(err))
	}
	var frames [][]byte
	for size := w * h * 3 / 2; len(out) >= size; out = out[size:] {
		frames = append(frames, out[:w*h])
	}
	return frames, nil
}

// NearestFrame returns which of frames is most like pic, and the peak
// signal-to-noise ratio between them in dB.
func NearestFrame(pic []byte, frames [][]byte) (int, float64) {
	best, bestErr := -1, math.Inf(1)
	for i, f := range frames {
		var sum float64
		for j := range pic {
			d := float64(pic[j]) - float64(f[j])
			sum += d * d
		}
		if mse := sum / float64(len(pic)); mse < bestErr {
			best, bestErr = i, mse
		}
	}
	return best, 10 * math.Log10(255*255/max(bestErr, 1e-9))
}

// Correlation is the normalised cross-correlation of a with ref, ref
// looped and starting at offset: 1 for the same sound at any level, near
// 0 for unrelated sounds.
func Correlation(a, ref []int16, offset int) float64 {
	var ab, aa, bb float64
	n := len(ref)
	for i, v := range a {
		x, y := float64(v), float64(ref[(offset+i)%n])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// BestOffset returns where in ref, looped, the sound a fits best: the
// offset in [from, to) (taken modulo len(ref)) with the highest
// correlation, and that correlation.
func BestOffset(a, ref []int16, from, to int) (int, float64) {
	n := len(ref)
	best, bestC := 0, math.Inf(-1)
	for o := from; o < to; o++ {
		at := ((o % n) + n) % n
		if c := Correlation(a, ref, at); c > bestC {
			best, bestC = at, c
		}
	}
	return best, bestC
}

// RMS is the root mean square of pcm, in full-scale units (0 to 1).
func RMS(pcm []int16) float64 {
	var sum float64
	for _, v := range pcm {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum/float64(max(len(pcm), 1))) / 32768
}
