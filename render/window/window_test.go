package window

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"os"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render/picture"
)

// testFrame is the 17th frame of the test picture, whose stripe is clear of
// the middle of every bar; a copy, since the source reuses its frames.
func testFrame(t testing.TB, width, height int) *image.YCbCr {
	t.Helper()
	src := capture.NewTestVideo(width, height, 1000)
	defer src.Close()
	var img image.Image
	for range 17 {
		var err error
		if img, _, err = src.Read(); err != nil {
			t.Fatal(err)
		}
	}
	ycc := *img.(*image.YCbCr)
	ycc.Y, ycc.Cb, ycc.Cr = bytes.Clone(ycc.Y), bytes.Clone(ycc.Cb), bytes.Clone(ycc.Cr)
	return &ycc
}

func near(a, b color.RGBA, tol int) bool {
	for _, d := range []int{int(a.R) - int(b.R), int(a.G) - int(b.G), int(a.B) - int(b.B)} {
		if d > tol || d < -tol {
			return false
		}
	}
	return true
}

// Bars lists the seven bars' colours from a picture of the test pattern.
func Bars(img image.Image) []color.RGBA {
	b := img.Bounds()
	var bars []color.RGBA
	for i := range 7 {
		bars = append(bars, picture.Color(img, b.Min.X+(2*i+1)*b.Dx()/14, b.Min.Y+b.Dy()/2))
	}
	return bars
}

// FindBars reports whether row y of shot, between x0 and x1, shows the seven
// bars left to right, each about a seventh of the span wide.
func FindBars(shot image.Image, y, x0, x1 int, bars []color.RGBA) error {
	w := x1 - x0
	for i, want := range bars {
		x := x0 + (2*i+1)*w/14
		if got := picture.Color(shot, x, y); !near(got, want, 24) {
			return errors.New("bar " + string(rune('0'+i)) + " is " + colorString(got) + ", want " + colorString(want))
		}
	}
	return nil
}

func colorString(c color.RGBA) string {
	return "rgb(" + itoa(c.R) + "," + itoa(c.G) + "," + itoa(c.B) + ")"
}

func itoa(v uint8) string { return string([]byte{'0' + v/100, '0' + v/10%10, '0' + v%10}) }

// TestWindowUnderXvfb opens the window on a virtual display, shows the test
// picture with a self-view, and looks at a screenshot of the screen.
func TestWindowUnderXvfb(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb")
	}
	mediatest.RequireTools(t, "Xvfb", "ffmpeg")
	display := mediatest.StartXvfb(t, 800, 600)
	t.Setenv("DISPLAY", display)

	keys := make(chan rune, 4)
	w, err := Open(Options{Width: 640, Height: 480, OnKey: func(k rune) { keys <- k }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Xvfb has no GPU: OpenGL there would be Mesa's llvmpipe, which costs
	// more memory and CPU than SDL's own software renderer.
	if graphicsHardware() {
		t.Logf("SDL renderer: %s (this machine has a GPU)", w.Renderer())
	} else if w.Renderer() != "software" {
		t.Errorf("with no GPU the renderer is %q, want software", w.Renderer())
	}
	if _, err := Open(Options{}); !errors.Is(err, ErrBusy) {
		t.Errorf("a second window: got %v, want ErrBusy", err)
	}

	remote := testFrame(t, 640, 480)
	local := picture.Thumbnail(testFrame(t, 320, 240), 320, 240)
	w.ShowRemote(remote)
	w.ShowLocal(local)
	w.SetStatus("connected 640x480 30 fps")
	shot := screenUntil(t, display, func(shot image.Image) bool {
		win := Lit(shot)
		return win.Dx() == 640 && win.Dy() == 500 &&
			FindBars(shot, win.Min.Y+100, win.Min.X, win.Min.X+640, Bars(remote)) == nil &&
			FindBars(shot, win.Min.Y+410, win.Min.X+470, win.Min.X+630, Bars(local)) == nil
	})
	// The window is wherever the X server put it: the part of the screen
	// that is not black. The video is 640x480, the status line under it.
	win := Lit(shot)
	if win.Dx() != 640 || win.Dy() != 500 {
		mediatest.SavePNG(t, "window.png", shot)
		t.Fatalf("the window on the screen is %v, want 640x500", win)
	}
	at := func(x, y int) (int, int) { return win.Min.X + x, win.Min.Y + y }
	bars := Bars(remote)
	x0, y := at(0, 100)
	if err := FindBars(shot, y, x0, x0+640, bars); err != nil {
		t.Errorf("the remote picture is not in the window: %v", err)
	}
	// The self-view: a quarter of the width (160x120), 10 pixels from the
	// video's bottom right corner, so from x 470 to 630 and y 350 to 470.
	x0, y = at(470, 410)
	if err := FindBars(shot, y, x0, x0+160, Bars(local)); err != nil {
		t.Errorf("the self-view is not in the corner: %v", err)
	}
	if c := picture.Color(shot, win.Min.X+320, win.Min.Y+490); !near(c, color.RGBA{24, 24, 24, 255}, 4) {
		t.Errorf("the status line's background is %v", c)
	}
	lit := 0
	for x := 6; x < 200; x++ {
		for y := 480; y < 500; y++ {
			if c := picture.Color(shot, win.Min.X+x, win.Min.Y+y); c.R > 150 {
				lit++
			}
		}
	}
	if lit < 50 {
		t.Errorf("the status line has no text (%d bright pixels)", lit)
	}
	if t.Failed() || os.Getenv("PIGEON_TEST_PICTURES") != "" {
		mediatest.SavePNG(t, "window.png", shot)
	}

	// Hiding the self-view leaves the remote picture there.
	w.ShowLocal(nil)
	x0, y = at(470, 410)
	shot = screenUntil(t, display, func(shot image.Image) bool {
		return FindBars(shot, y, x0, x0+160, Bars(local)) != nil
	})
	if err := FindBars(shot, y, x0, x0+160, Bars(local)); err == nil {
		t.Error("the self-view is still there after ShowLocal(nil)")
	}

	// ShowRemote(nil) takes the remote picture away (a camera's preview
	// while a code is scanned, before the peer's video).
	w.ShowRemote(nil)
	x0, y = at(0, 100)
	shot = screenUntil(t, display, func(shot image.Image) bool {
		return near(picture.Color(shot, x0+320, y), color.RGBA{0, 0, 0, 255}, 4)
	})
	if c := picture.Color(shot, x0+320, y); !near(c, color.RGBA{0, 0, 0, 255}, 4) {
		t.Errorf("after ShowRemote(nil) the video area shows %v, want black", c)
	}
}

// screenUntil takes screenshots of display until ok holds of one, for at
// most 5 s, and returns the last: the X server shows what the window
// presented in its own time, and says nothing when it has.
func screenUntil(t *testing.T, display string, ok func(image.Image) bool) image.Image {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		shot, err := mediatest.Screenshot(display, 800, 600)
		if err != nil {
			t.Fatal(err)
		}
		if ok(shot) || time.Now().After(deadline) {
			return shot
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Lit is the bounding box of the pixels of shot that are not black.
func Lit(shot image.Image) image.Rectangle {
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

// BenchmarkPresent measures a remote picture's way to the screen under
// Xvfb: upload, scale, draw, present; with SDL's OpenGL renderer (Mesa's
// llvmpipe there) and its software one. cpu-ms/frame is this process's CPU
// time, the X server's not included.
func BenchmarkPresent(b *testing.B) {
	mediatest.RequireTools(b, "Xvfb")
	b.Setenv("DISPLAY", mediatest.StartXvfb(b, 800, 600))
	frames := []*image.YCbCr{testFrame(b, 640, 480), testFrame(b, 640, 480)}
	for i := range frames[1].Y {
		frames[1].Y[i] ^= 0x10
	}
	local := picture.Thumbnail(testFrame(b, 320, 240), 320, 240)
	for _, renderer := range []string{"opengl", "software"} {
		b.Run(renderer, func(b *testing.B) {
			b.Setenv("SDL_RENDER_DRIVER", renderer)
			w, err := Open(Options{Width: 640, Height: 480})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			if w.Renderer() != renderer {
				b.Skipf("SDL chose %s", w.Renderer())
			}
			w.ShowLocal(local)
			w.SetStatus("connected | 640x480 30 fps")
			cpu0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				n := w.Frames()
				w.ShowRemote(frames[i%2])
				for w.Frames() == n { // Frames has no event to wait on
					time.Sleep(50 * time.Microsecond)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/frame")
		})
	}
}
