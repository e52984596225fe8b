package e2e

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/picture"
)

// TestSourceSwitchesTheVideoMidCall switches the caller's video from the
// test picture to a red picture with /source: the callee's recording ends
// on red. A source that cannot open is refused in one line, and the call
// goes on.
func TestSourceSwitchesTheVideoMidCall(t *testing.T) {
	dir := t.TempDir()
	red := writeRedPNG(t, dir)

	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, "call", "--signal-out", offer, "--signal-in", answer,
		"--video", "test", "--audio", "none", "--interface", "lo", "--view", "none")
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--record", filepath.Join(dir, "callee"), "--view", "none"}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: receiving video")
	waitReceived(t, callee, atLeast(10, 0)) // the test picture, before the switch

	fmt.Fprintln(caller.stdin, "/source bogus")
	waitOutput(t, "caller's /source bogus", caller.stderr, `pigeon: /source "bogus": no source or file has that name; use camera|test|screen|image:FILE|FILE; still sending test pattern`)
	fmt.Fprintln(caller.stdin, "/source image:"+red)
	waitOutput(t, "caller's /source", caller.stderr, "pigeon: sending the picture "+red)
	endOnPicture(t, caller, callee, filepath.Join(dir, "callee"), "red", isRed)
}

// TestSourceAddsVideoToACallWithout starts a call in which neither side
// sends video; the callee adds a red picture with /source: the call
// renegotiates over itself, and the caller's recording ends on red.
func TestSourceAddsVideoToACallWithout(t *testing.T) {
	dir := t.TempDir()
	red := writeRedPNG(t, dir)
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, args([]string{"call", "--signal-out", offer, "--signal-in", answer,
		"--record", filepath.Join(dir, "caller"), "--view", "none"}, noMedia)...)
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer, "--view", "none"}, noMedia)...)
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")

	fmt.Fprintln(callee.stdin, "/source image:"+red)
	waitOutput(t, "callee's /source", callee.stderr, "pigeon: video on: sending the picture "+red+", added to the call")
	waitOutput(t, "caller", caller.stderr, "pigeon: receiving video")
	waitOutput(t, "caller", caller.stderr, "pigeon: the peer's video is on")
	endOnPicture(t, callee, caller, filepath.Join(dir, "caller"), "red", isRed)
}

// writeRedPNG writes a red picture in dir and returns its path.
func writeRedPNG(t *testing.T, dir string) string {
	t.Helper()
	return mediatest.SolidPNG(t, dir, "red.png", 64, 48, color.RGBA{255, 0, 0, 255})
}

// endOnPicture lets the picture a /source command chose flow until the
// receiver has ten more frames, has sender hang up, and checks that
// receiver ends cleanly, that the command did not reach it as chat, and
// that its recording in recDir ends on the colour want, which ok
// recognises.
func endOnPicture(t *testing.T, sender, receiver *proc, recDir, want string, ok func(r, g, b uint8) bool) {
	t.Helper()
	before := waitReceived(t, receiver, func(got map[string]int) bool { return got["video"] > 0 })["video"]
	waitReceived(t, receiver, atLeast(before+10, 0))
	sender.stdin.Close()
	if code := receiver.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("the receiving side's exit code %d; stderr:\n%s", code, receiver.stderr)
	}
	sender.exit(t, 10*time.Second)
	if strings.Contains(receiver.stdout.String(), "/source") {
		t.Errorf("a /source command reached the peer as chat:\n%s", receiver.stdout)
	}
	checkLastPicture(t, filepath.Join(recDir, render.VideoFile), want, ok)
}

func isRed(r, g, b uint8) bool { return r > 200 && g < 50 && b < 50 }

// checkLastPicture checks the colour of the middle of the last picture of
// a recording.
func checkLastPicture(t *testing.T, path, want string, ok func(r, g, b uint8) bool) {
	t.Helper()
	ivf, err := mediatest.DecodeIVF(path)
	if err != nil {
		t.Fatal(err)
	}
	last := ivf.Last
	ycc := last.YCbCrAt(last.Rect.Dx()/2, last.Rect.Dy()/2)
	r, g, b := picture.RGB(ycc.Y, ycc.Cb, ycc.Cr)
	if !ok(r, g, b) {
		mediatest.SavePNG(t, "last.png", last)
		t.Fatalf("the last picture of %s is RGB %d,%d,%d in the middle, want %s", path, r, g, b, want)
	}
}

// TestSourceScreenMidCall switches the caller's video to its screen, a
// virtual one painted blue, with /source screen: the callee's recording
// ends on blue.
func TestSourceScreenMidCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb")
	}
	display := mediatest.StartXvfb(t, 640, 480)
	t.Setenv("DISPLAY", display)
	mediatest.FillXRoot(t, display, color.RGBA{0, 0, 255, 255})

	dir := t.TempDir()
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, "call", "--signal-out", offer, "--signal-in", answer,
		"--video", "test", "--audio", "none", "--interface", "lo", "--view", "none")
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer,
		"--record", filepath.Join(dir, "callee"), "--view", "none"}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: receiving video")

	fmt.Fprintln(caller.stdin, "/source screen")
	waitOutput(t, "caller's /source screen", caller.stderr, "pigeon: sending the screen "+display+" (640x480, sent as 640x480)")
	endOnPicture(t, caller, callee, filepath.Join(dir, "callee"), "the blue of the caller's screen",
		func(r, g, b uint8) bool { return b > 200 && r < 50 && g < 50 })
}
