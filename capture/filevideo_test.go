package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/mediadevices"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// thumbW and thumbH are the size pictures are compared at: small enough
// that compression and scaling do not matter, large enough that two
// pictures of a clip differ.
const thumbW, thumbH = 32, 24

// thumbnail is img's luma, averaged down to thumbW x thumbH.
func thumbnail(img *image.YCbCr) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]byte, thumbW*thumbH)
	for ty := range thumbH {
		for tx := range thumbW {
			var sum, n int
			for y := ty * h / thumbH; y < (ty+1)*h/thumbH; y++ {
				for x := tx * w / thumbW; x < (tx+1)*w/thumbW; x++ {
					sum += int(img.Y[img.YOffset(img.Rect.Min.X+x, img.Rect.Min.Y+y)])
					n++
				}
			}
			out[ty*thumbW+tx] = byte(sum / max(n, 1))
		}
	}
	return out
}

// TestOpenVideoFileSendsTheClip opens natural video, as Y4M and as IVF,
// as a call's video and reads it through the track: each picture is one
// of the file's, scaled up into the call's frame, and they move on.
func TestOpenVideoFileSendsTheClip(t *testing.T) {
	for _, name := range []string{"clip.y4m", "clip.ivf"} {
		t.Run(name, func(t *testing.T) {
			path := mediatest.NaturalVideo(t, name, 160, 120, 15, time.Second)
			want, err := mediatest.GrayFrames(path, thumbW, thumbH)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Open(Options{Video: path, Audio: None, Width: 320, Height: 240})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if label := m.VideoLabel(); !strings.HasPrefix(label, "the video "+name) || !strings.Contains(label, "160x120") ||
				!strings.Contains(label, "15 fps") || m.VideoName() != path {
				t.Errorf("label %q, name %q", label, m.VideoName())
			}
			r := unwrap(m.Video()).(*mediadevices.VideoTrack).NewReader(false)
			seen := map[int]bool{}
			for i := range 20 {
				img, release, err := r.Read()
				if err != nil {
					t.Fatal(err)
				}
				ycc := img.(*image.YCbCr)
				if ycc.Rect != image.Rect(0, 0, 320, 240) {
					t.Fatalf("picture %d is %v, want the call's 320x240", i, ycc.Rect)
				}
				k, psnr := mediatest.NearestFrame(thumbnail(ycc), want)
				if psnr < 30 {
					mediatest.SavePNG(t, "sent.png", ycc)
					t.Fatalf("picture %d is like none of the file's: at best its %d, at %.1f dB", i, k, psnr)
				}
				seen[k] = true
				release()
			}
			if len(seen) < 10 {
				t.Fatalf("20 pictures showed %d of the file's: the video does not move on", len(seen))
			}
		})
	}
}

// TestFileVideoLoopsAtItsPace reads a Y4M file of five pictures and an
// IVF clip of six round several times: the pictures come in the file's
// order, the first again after the last, each due one frame time after
// the one before, at the seam too, and no sooner.
func TestFileVideoLoopsAtItsPace(t *testing.T) {
	mediatest.RequireTools(t, "ffmpeg")
	// Pictures each of one grey, a step lighter than the last.
	y4m := writeFile(t, "five.y4m", y4mBytes("W16 H12 F50:1 C420jpeg", 16, 12, 2, 2, 5))
	ivf := filepath.Join(t.TempDir(), "six.ivf")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", writeFile(t, "six.y4m", y4mBytes("W64 H48 F25:1", 64, 48, 2, 2, 6)),
		"-c:v", "libvpx", "-b:v", "1M", ivf).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	for _, c := range []struct {
		path   string
		frames int
		gap    time.Duration
	}{
		{y4m, 5, 20 * time.Millisecond},
		{ivf, 6, 40 * time.Millisecond},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			want, err := mediatest.GrayFrames(c.path, thumbW, thumbH)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != c.frames {
				t.Fatalf("ffmpeg reads %d pictures in the file, want %d", len(want), c.frames)
			}
			v, err := OpenFileVideo(c.path, 64, 48)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			n := 3*c.frames + 2
			start := time.Now()
			var dues []time.Time
			for i := range n {
				img, _, err := v.Read()
				if err != nil {
					t.Fatal(err)
				}
				v.mu.Lock()
				dues = append(dues, v.due)
				v.mu.Unlock()
				k, psnr := mediatest.NearestFrame(thumbnail(img.(*image.YCbCr)), want)
				if k != i%c.frames || psnr < 30 {
					t.Fatalf("read %d is the file's picture %d (%.1f dB), want %d", i, k, psnr, i%c.frames)
				}
			}
			for i := 1; i < len(dues); i++ {
				if d := dues[i].Sub(dues[i-1]); d != c.gap {
					t.Fatalf("picture %d is due %v after the one before, want %v", i, d, c.gap)
				}
			}
			if elapsed, least := time.Since(start), time.Duration(n-1)*c.gap; elapsed < least {
				t.Fatalf("%d pictures came in %v, sooner than the file's pace allows (%v)", n, elapsed, least)
			}
		})
	}
}

// TestY4MOfEveryChromaFitsTheFrame plays red Y4M files of each chroma
// layout ffmpeg writes into a 64x48 frame: red in the middle (grey for
// mono), and a wide picture has black above and below it.
func TestY4MOfEveryChromaFitsTheFrame(t *testing.T) {
	mediatest.RequireTools(t, "ffmpeg")
	redY, redCb, redCr := limitedYCbCr(255, 0, 0)
	for _, c := range []struct {
		pixFmt, size string
		letterbox    bool
	}{
		{"yuv420p", "64x48", false},
		{"yuv422p", "32x24", false},
		{"yuv444p", "100x75", false},
		{"yuv411p", "64x48", false},
		{"gray", "64x48", false},
		{"yuv420p", "128x36", true},
		{"yuv420p", "33x25", false},
	} {
		t.Run(c.pixFmt+" "+c.size, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "red.y4m")
			if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s="+c.size+":r=10",
				"-t", "0.3", "-pix_fmt", c.pixFmt, "-f", "yuv4mpegpipe", path).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v: %s", err, out)
			}
			v, err := OpenFileVideo(path, 64, 48)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			img, _, err := v.Read()
			if err != nil {
				t.Fatal(err)
			}
			f := img.(*image.YCbCr)
			want := [3]uint8{redY, redCb, redCr}
			if c.pixFmt == "gray" {
				want = [3]uint8{redY, 128, 128}
			}
			ci := f.COffset(32, 24)
			if got := [3]uint8{f.Y[f.YOffset(32, 24)], f.Cb[ci], f.Cr[ci]}; !near(got, want) {
				t.Errorf("the middle is YCbCr %v, want red %v", got, want)
			}
			top := f.Y[f.YOffset(32, 0)]
			if c.letterbox && top != 16 {
				t.Errorf("luma %d above a wide picture, want black", top)
			}
			if !c.letterbox && !near([3]uint8{top, 0, 0}, [3]uint8{want[0], 0, 0}) {
				t.Errorf("luma %d at the top, want the picture's %d", top, want[0])
			}
		})
	}
}

// TestFileVideoRefusesWhatItCannotPlay gives OpenFileVideo and Open files
// that are not video pigeon plays: each is refused with a line that says
// why, and nothing panics.
func TestFileVideoRefusesWhatItCannotPlay(t *testing.T) {
	mediatest.RequireTools(t, "ffmpeg")
	dir := t.TempDir()
	ffmpeg := func(name string, args ...string) []byte {
		path := filepath.Join(dir, name)
		args = append([]string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10", "-t", "0.5"}, args...)
		if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v: %s", err, out)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	vp8 := ffmpeg("vp8.ivf", "-c:v", "libvpx")
	// The same frames with the first (the keyframe) taken out.
	first := int(binary.LittleEndian.Uint32(vp8[32:]))
	noKey := append(bytes.Clone(vp8[:32]), vp8[32+12+first:]...)
	hugeFrame := bytes.Clone(vp8)
	binary.LittleEndian.PutUint32(hugeFrame[32:], 1<<30)
	mono := wavFormat{channels: 1, rate: 8000, sampleSize: 2}

	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"text", []byte("just some words\n"), "not a video file pigeon plays"},
		{"webm", ffmpeg("clip.webm", "-c:v", "libvpx"), "not a video file pigeon plays"},
		{"wav", wavBytes(mono, wavPCM, 16, sine(mono, 400, 0.5, 80)), "holds sound, not video"},
		{"vp9", ffmpeg("vp9.ivf", "-c:v", "libvpx-vp9"), "VP9"},
		{"10-bit y4m", ffmpeg("deep.y4m", "-pix_fmt", "yuv420p10le", "-strict", "-1", "-f", "yuv4mpegpipe"), "not 8-bit"},
		{"no frames", []byte("YUV4MPEG2 W64 H48 F25:1\n"), "holds no frame"},
		{"no size", []byte("YUV4MPEG2 F25:1\nFRAME\n"), "-1x-1"},
		{"too large", []byte("YUV4MPEG2 W16000 H16000\n"), "16000x16000"},
		{"a rate of zero", []byte("YUV4MPEG2 W2 H2 F0:1\n"), "not a rate"},
		{"a header with no end", append([]byte("YUV4MPEG2 "), bytes.Repeat([]byte("X"), 10000)...), "no end"},
		{"first frame cut short", y4mBytes("W16 H12", 16, 12, 2, 2, 1)[:100], "frame 1: cut short"},
		{"not FRAME", []byte("YUV4MPEG2 W2 H2\nFRAMX\n123456"), "does not start with FRAME"},
		{"ivf without a keyframe first", noKey, "not a VP8 keyframe"},
		{"ivf with a huge frame", hugeFrame, "1073741824 bytes"},
		{"ivf cut in its header", vp8[:20], "cut short"},
		{"ivf of no size", ivfBytes("VP80", 30, 1, nil)[:12] /* size fields cut */, "cut short"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "video", c.data)
			_, err := OpenFileVideo(path, 64, 48)
			if !errors.Is(err, ErrMediaFile) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("OpenFileVideo: %v, want ErrMediaFile saying %q in one line", err, c.want)
			}
			if _, err := Open(Options{Video: path}); !errors.Is(err, ErrMediaFile) {
				t.Fatalf("Open: %v, want ErrMediaFile", err)
			}
		})
	}
	if _, err := Open(Options{Video: filepath.Join(dir, "missing.y4m")}); !errors.Is(err, ErrUnknownSource) ||
		!strings.Contains(err.Error(), "no file has that name") {
		t.Errorf("a missing file: %v, want ErrUnknownSource saying there is no such file", err)
	}
	// A picture named as a file is shown as image:FILE shows it.
	png := filepath.Join(dir, "red.png")
	writePNG(t, png, solid(40, 30, color.RGBA{255, 0, 0, 255}))
	m, err := Open(Options{Video: png, Audio: None})
	if err != nil {
		t.Fatalf("a PNG file as --video: %v", err)
	}
	defer m.Close()
	if m.VideoLabel() != "the picture "+png {
		t.Errorf("a PNG file shows as %q", m.VideoLabel())
	}
}

// TestFileVideoDamagedWhilePlaying plays a Y4M file whose last picture is
// cut short and an IVF file with a frame of noise: the pictures before the
// damage come, then the track ends with an error that says where.
func TestFileVideoDamagedWhilePlaying(t *testing.T) {
	mediatest.RequireTools(t, "ffmpeg")
	y4m := y4mBytes("W16 H12 F100:1", 16, 12, 2, 2, 4)
	ivfPath := mediatest.NaturalVideo(t, "clip.ivf", 64, 48, 50, 200*time.Millisecond)
	ivf, err := os.ReadFile(ivfPath)
	if err != nil {
		t.Fatal(err)
	}
	// The fourth frame's data becomes noise, which libvpx refuses.
	at := 32
	for range 3 {
		at += 12 + int(binary.LittleEndian.Uint32(ivf[at:]))
	}
	size := int(binary.LittleEndian.Uint32(ivf[at:]))
	for i := range size {
		ivf[at+12+i] = byte(i*7919 + 13)
	}
	for _, c := range []struct {
		name string
		data []byte
		good int
		want string
	}{
		{"clip.y4m", y4m[:len(y4m)-50], 3, "frame 4: cut short"},
		{"clip.ivf", ivf, 3, "frame 4 does not decode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Open(Options{Video: writeFile(t, c.name, c.data), Audio: None, Width: 64, Height: 48})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ended := make(chan error, 1)
			m.Video().OnEnded(func(err error) { ended <- err })
			r := unwrap(m.Video()).(*mediadevices.VideoTrack).NewReader(false)
			n := 0
			for ; n < 100; n++ {
				if _, _, err = r.Read(); err != nil {
					break
				}
			}
			if !errors.Is(err, ErrMediaFile) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("after %d pictures: %v, want ErrMediaFile saying %q", n, err, c.want)
			}
			if n > c.good {
				t.Errorf("%d pictures before the damage, want at most %d", n, c.good)
			}
			if err := <-ended; !errors.Is(err, ErrMediaFile) {
				t.Fatalf("the track ended with %v, want ErrMediaFile", err)
			}
		})
	}
}

// TestSwitchVideoToAFile switches a call's test picture to a red Y4M
// file and on to a missing one: the track stays, the preview turns red,
// and the missing file leaves the red video as it was.
func TestSwitchVideoToAFile(t *testing.T) {
	red := writeFile(t, "red.y4m", redY4M(40, 30))
	m, err := Open(Options{Video: Test, Audio: None, Width: 160, Height: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	track := m.Video()
	got := previews(m)
	label, err := m.SwitchVideo(red)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(label, "the video red.y4m (Y4M 40x30") || m.VideoName() != red || m.Video() != track {
		t.Errorf("label %q, name %q, same track %v", label, m.VideoName(), m.Video() == track)
	}
	y, cb, cr := limitedYCbCr(255, 0, 0)
	waitColour(t, got, [3]uint8{y, cb, cr})
	for _, c := range []struct {
		name string
		want error
	}{
		{filepath.Join(t.TempDir(), "missing.y4m"), ErrUnknownSource},
		{"fileaudio_test.go", ErrMediaFile},
	} {
		if _, err := m.SwitchVideo(c.name); !errors.Is(err, c.want) {
			t.Errorf("SwitchVideo(%q) = %v, want %v", c.name, err, c.want)
		}
	}
	if m.VideoName() != red {
		t.Fatalf("after failed switches the video is %q", m.VideoName())
	}
	waitColour(t, got, [3]uint8{y, cb, cr})
}

// redY4M is a Y4M file of one red w x h picture, at 30 fps.
func redY4M(w, h int) []byte {
	y, cb, cr := limitedYCbCr(255, 0, 0)
	cw, ch := (w+1)/2, (h+1)/2
	frame := append(append(bytes.Repeat([]byte{y}, w*h), bytes.Repeat([]byte{cb}, cw*ch)...), bytes.Repeat([]byte{cr}, cw*ch)...)
	return append([]byte(fmt.Sprintf("YUV4MPEG2 W%d H%d F30:1 C420jpeg\nFRAME\n", w, h)), frame...)
}

// TestFileVideoCloseEndsARead closes a file source while a Read waits for
// its next picture, ten seconds off: the Read returns io.EOF, as a switch
// to another source needs, and the file is closed.
func TestFileVideoCloseEndsARead(t *testing.T) {
	v, err := OpenFileVideo(writeFile(t, "slow.y4m", y4mBytes("W4 H2 F1:10", 4, 2, 2, 2, 3)), 8, 6)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Read(); err != nil {
		t.Fatal(err)
	}
	read := make(chan error, 1)
	go func() {
		_, _, err := v.Read()
		read <- err
	}()
	v.Close()
	if err := <-read; !errors.Is(err, io.EOF) {
		t.Fatalf("a Read under way when the source closed: %v, want io.EOF", err)
	}
	if _, err := v.file.Stat(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("the file is still open after Close: %v", err)
	}
}

// A 4:2:0 file of the call's own size is sent exactly as it is, picture
// after picture, looped.
func TestFileVideoAtTheFrameSizeIsSentAsItIs(t *testing.T) {
	const w, h, frames = 64, 48, 3
	var file bytes.Buffer
	fmt.Fprintf(&file, "YUV4MPEG2 W%d H%d F100:1 C420jpeg\n", w, h)
	plane := func(n, i int) byte { return byte(16 + (i*7+n*31)%200) }
	for n := range frames {
		file.WriteString("FRAME\n")
		for i := range w*h + 2*(w/2)*(h/2) {
			file.WriteByte(plane(n, i))
		}
	}
	path := filepath.Join(t.TempDir(), "exact.y4m")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := OpenFileVideo(path, w, h)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for k := range 2 * frames {
		img, _, err := v.Read()
		if err != nil {
			t.Fatal(err)
		}
		f := img.(*image.YCbCr)
		if f.Rect != image.Rect(0, 0, w, h) || f.SubsampleRatio != image.YCbCrSubsampleRatio420 {
			t.Fatalf("picture %d is %v %v, want %dx%d 4:2:0", k, f.Rect, f.SubsampleRatio, w, h)
		}
		i := 0
		for _, p := range []struct {
			pix          []byte
			stride, rows int
			cols         int
		}{{f.Y, f.YStride, h, w}, {f.Cb, f.CStride, h / 2, w / 2}, {f.Cr, f.CStride, h / 2, w / 2}} {
			for y := range p.rows {
				for x := range p.cols {
					if got, want := p.pix[y*p.stride+x], plane(k%frames, i); got != want {
						t.Fatalf("picture %d: sample %d is %d, want the file's %d", k, i, got, want)
					}
					i++
				}
			}
		}
	}
}
