package mediatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/testenv"
)

// RequireTools skips t unless every named program is installed, and fails
// it in CI (testenv.RequireTools).
func RequireTools(t testing.TB, names ...string) {
	t.Helper()
	testenv.RequireTools(t, names...)
}

// Probe is what ffprobe reports of a media file.
type Probe struct {
	Streams []struct {
		CodecName string `json:"codec_name"`
		CodecType string `json:"codec_type"`
		StartTime string `json:"start_time"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

// Duration is the file's duration as ffprobe reports it.
func (p Probe) Duration() time.Duration {
	secs, _ := strconv.ParseFloat(p.Format.Duration, 64)
	return time.Duration(secs * float64(time.Second))
}

// FFProbe runs ffprobe on path.
func FFProbe(path string) (Probe, error) {
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "json",
		"-show_entries", "stream=codec_name,codec_type,start_time,width,height:format=format_name,duration", path).Output()
	if err != nil {
		return Probe{}, fmt.Errorf("ffprobe %s: %w: %s", path, err, stderrOf(err))
	}
	var p Probe
	if err := json.Unmarshal(out, &p); err != nil {
		return Probe{}, fmt.Errorf("reading ffprobe's report: %w", err)
	}
	return p, nil
}

// FFmpegDecode decodes the whole file at path with ffmpeg, as a player
// would, and fails on any error ffmpeg reports.
func FFmpegDecode(path string) error {
	// passthrough keeps the frames' own times rather than fit them to a
	// frame rate, which a call's video does not keep to the millisecond;
	// and in milliseconds, as WebM has them: in ffmpeg's default of a
	// frame's time (1/30 s), two frames 28 ms apart may round to the same
	// time, which ffmpeg then reports as an error of the file.
	cmd := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", path,
		"-fps_mode", "passthrough", "-enc_time_base:v", "1:1000", "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		return fmt.Errorf("ffmpeg decoding %s: %v: %s", path, err, stderr.String())
	}
	return nil
}

// StartXvfb starts a virtual X display of the given size for the length of
// the test, and returns its name for DISPLAY. It skips the test when Xvfb is
// not installed.
func StartXvfb(t testing.TB, width, height int) string {
	t.Helper()
	RequireTools(t, "Xvfb")
	x, err := NewXvfb(width, height)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Stop)
	return x.Display
}

// Xvfb is a running virtual X display.
type Xvfb struct {
	Display string // for DISPLAY, such as ":99"
	cmd     *exec.Cmd
}

// NewXvfb starts a virtual X display of the given size and waits until it
// takes connections. Stop ends it.
func NewXvfb(width, height int) (*Xvfb, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// -displayfd picks a free display and writes its number once it is
	// ready; -br makes the background black, -nolisten tcp keeps it local.
	x := &Xvfb{cmd: exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", width, height),
		"-br", "-nolisten", "tcp")}
	x.cmd.ExtraFiles = []*os.File{w}
	dieWithParent(x.cmd)
	if err := x.cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("starting Xvfb: %w", err)
	}
	w.Close()
	ready := make(chan string, 1)
	go func() {
		buf := make([]byte, 16)
		n, _ := r.Read(buf)
		ready <- strings.TrimSpace(string(buf[:n]))
	}()
	select {
	case n := <-ready:
		if n == "" {
			x.Stop()
			return nil, errors.New("Xvfb did not start")
		}
		// Xvfb names its display a little before it takes connections.
		if err := waitForX(n, 10*time.Second); err != nil {
			x.Stop()
			return nil, err
		}
		x.Display = ":" + n
		return x, nil
	case <-time.After(10 * time.Second):
		x.Stop()
		return nil, errors.New("Xvfb did not start in 10 s")
	}
}

// Stop ends the display.
func (x *Xvfb) Stop() {
	// SIGTERM lets Xvfb remove its lock file and socket.
	x.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan struct{})
	go func() { x.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		x.cmd.Process.Kill()
		<-exited
	}
}

// waitForX waits until the X server of display n answers a connection
// setup: it accepts a client.
func waitForX(n string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = xHello(n); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("Xvfb display :%s does not answer: %w", n, err)
}

func xHello(n string) error {
	c, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+n, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	// Connection setup, little-endian, X11.0, no authorization.
	if _, err := c.Write([]byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		return err
	}
	reply := make([]byte, 8)
	if _, err := io.ReadFull(c, reply); err != nil {
		return err
	}
	if reply[0] != 1 {
		return errors.New("the X server refused the connection")
	}
	return nil
}

// Screenshot grabs the whole X display with ffmpeg, as a person would see it.
func Screenshot(display string, width, height int) (image.Image, error) {
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "x11grab", "-video_size", fmt.Sprintf("%dx%d", width, height),
		"-i", display, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-").Output()
	if err != nil {
		return nil, fmt.Errorf("grabbing %s with ffmpeg: %w: %s", display, err, stderrOf(err))
	}
	return png.Decode(bytes.NewReader(out))
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}

// SavePNG writes img into the test's output directory (or a temporary one),
// for a person to look at when a test of a picture fails.
func SavePNG(t testing.TB, name string, img image.Image) {
	t.Helper()
	dir := os.Getenv("PIGEON_TEST_PICTURES")
	if dir == "" {
		dir = t.TempDir()
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Log(err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Log(err)
		return
	}
	t.Logf("the picture is in %s (set PIGEON_TEST_PICTURES to keep it)", path)
}

// SolidPNG writes a picture of one colour, w by h, to name in dir, for a
// picture source to show, and returns its path.
func SolidPNG(t testing.TB, dir, name string, w, h int, c color.Color) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Packet is one packet of a media file as ffprobe lists it.
type Packet struct {
	Stream   int           // the stream's index
	PTS      time.Duration // its presentation time
	KeyFrame bool
}

// FFProbePackets lists the packets of the file at path, with ffprobe.
func FFProbePackets(path string) ([]Packet, error) {
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "csv=p=0",
		"-show_entries", "packet=stream_index,pts_time,flags", path).Output()
	if err != nil {
		return nil, fmt.Errorf("ffprobe %s: %w: %s", path, err, stderrOf(err))
	}
	var packets []Packet
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 {
			continue
		}
		stream, _ := strconv.Atoi(f[0])
		secs, _ := strconv.ParseFloat(f[1], 64)
		packets = append(packets, Packet{Stream: stream, PTS: time.Duration(secs * float64(time.Second)).Round(time.Millisecond),
			KeyFrame: strings.HasPrefix(f[2], "K")})
	}
	return packets, nil
}

// SolidYCbCr is a 4:2:0 picture of one colour, w by h, as a decoder gives
// it.
func SolidYCbCr(w, h int, y, cb, cr uint8) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = y
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = cb, cr
	}
	return img
}
