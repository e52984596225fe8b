package window

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render/picture"
)

// peerPicture is a peer's picture: one colour, so that its tile can be
// told from the others'.
type peerPicture struct {
	name string
	img  *image.YCbCr
}

func (p peerPicture) colour() color.RGBA {
	r, g, b := picture.RGB(p.img.Y[0], p.img.Cb[0], p.img.Cr[0])
	return color.RGBA{r, g, b, 255}
}

var (
	ann = peerPicture{"ann", mediatest.SolidYCbCr(320, 240, 81, 90, 240)}  // red
	bob = peerPicture{"bob", mediatest.SolidYCbCr(320, 240, 145, 54, 34)}  // green
	cat = peerPicture{"cat", mediatest.SolidYCbCr(320, 240, 41, 240, 110)} // blue
)

// selfView is where the window draws the self-view (framed), once the
// test knows where the window is.
var selfView image.Rectangle

// tilePictures are where the window draws n pictures of 4:3 in a video area
// of 640x480 at the top left of win.
func tilePictures(win image.Rectangle, n int) []image.Rectangle {
	video := image.Rect(0, 0, 640, 480).Add(win.Min)
	var out []image.Rectangle
	for _, cell := range picture.Grid(n, 4, 3, video) {
		out = append(out, picture.Fit(4, 3, cell.Inset(tileGap)))
	}
	return out
}

// checkTile says whether r in shot is filled with c: the middle, points
// near its top corners and the middle of its bottom edge (the label covers
// its bottom left corner), but where the self-view, selfView, covers it.
func checkTile(shot image.Image, r image.Rectangle, c color.RGBA) error {
	pts := []image.Point{
		{(r.Min.X + r.Max.X) / 2, (r.Min.Y + r.Max.Y) / 2},
		{r.Min.X + 6, r.Min.Y + 6},
		{r.Max.X - 7, r.Min.Y + 6},
		{(r.Min.X + r.Max.X) / 2, r.Max.Y - 7},
	}
	for _, p := range pts {
		if p.In(selfView) {
			continue
		}
		if got := picture.Color(shot, p.X, p.Y); !near(got, c, 12) {
			return fmt.Errorf("at %v it is %s, want %s", p, colorString(got), colorString(c))
		}
	}
	return nil
}

// checkLabel says whether the bottom left corner of the picture r in shot
// shows name as the window draws labels.
func checkLabel(shot image.Image, r image.Rectangle, name string) error {
	want := textPicture(name, r.Dx()-2*labelPad, labelPad, labelBackdrop, labelForeColor)
	at := image.Pt(r.Min.X, r.Max.Y-want.Rect.Dy())
	bad := 0
	for y := range want.Rect.Dy() {
		for x := range want.Rect.Dx() {
			if !near(picture.Color(shot, at.X+x, at.Y+y), want.RGBAAt(x, y), 40) {
				bad++
			}
		}
	}
	if bad > want.Rect.Dx()*want.Rect.Dy()/50 {
		return fmt.Errorf("%d of the label's %d pixels differ from %q", bad, want.Rect.Dx()*want.Rect.Dy(), name)
	}
	return nil
}

// waitForScreen takes screenshots until check passes on one, or fails t
// with what the last one showed.
func waitForScreen(t *testing.T, display, name string, check func(shot image.Image) error) image.Image {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		shot, err := mediatest.Screenshot(display, 800, 600)
		if err != nil {
			t.Fatal(err)
		}
		err = check(shot)
		if err == nil {
			if os.Getenv("PIGEON_TEST_PICTURES") != "" {
				mediatest.SavePNG(t, name, shot)
			}
			return shot
		}
		if time.Now().After(deadline) {
			mediatest.SavePNG(t, name, shot)
			t.Fatal(err)
		}
	}
}

// TestWindowShowsPeersInTiles shows three peers in the window under Xvfb,
// each a picture of its own colour: each is in its tile of a grid, labelled
// with its name; when one leaves, the others share the window; a peer with
// no video has a tile with its name.
func TestWindowShowsPeersInTiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb")
	}
	mediatest.RequireTools(t, "Xvfb", "ffmpeg")
	display := mediatest.StartXvfb(t, 800, 600)
	t.Setenv("DISPLAY", display)
	w, err := Open(Options{Width: 640, Height: 480})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, p := range []peerPicture{ann, bob, cat} {
		w.SetLabel(p.name, p.name)
		w.ShowPeer(p.name, p.img)
	}
	local := picture.Thumbnail(testFrame(t, 320, 240), 320, 240)
	w.ShowLocal(local)
	w.SetStatus("3 peers")

	var win image.Rectangle
	waitForScreen(t, display, "tiles-3.png", func(shot image.Image) error {
		// The window is wherever the X server put it; its status line
		// is its bottom, and lit to its edges.
		lit := Lit(shot)
		win = image.Rect(lit.Max.X-640, lit.Max.Y-500, lit.Max.X, lit.Max.Y)
		selfView = image.Rect(468, 348, 632, 472).Add(win.Min)
		if lit.Dx() != 640 || !lit.In(win) {
			return fmt.Errorf("the window on the screen is %v, want 640x500", lit)
		}
		tiles := tilePictures(win, 3)
		// Two above, one centred under them.
		if tiles[2].Min.X <= tiles[0].Min.X || tiles[2].Max.X >= tiles[1].Max.X || tiles[2].Min.Y <= tiles[0].Max.Y {
			return fmt.Errorf("tiles %v are not two above one", tiles)
		}
		for i, p := range []peerPicture{ann, bob, cat} {
			if err := checkTile(shot, tiles[i], p.colour()); err != nil {
				return fmt.Errorf("%s's tile %v: %v", p.name, tiles[i], err)
			}
			if err := checkLabel(shot, tiles[i], p.name); err != nil {
				return fmt.Errorf("%s's tile %v: %v", p.name, tiles[i], err)
			}
		}
		// The self-view, in the corner, over no tile's middle.
		x0, y := win.Min.X+470, win.Min.Y+410
		return FindBars(shot, y, x0, x0+160, Bars(local))
	})

	// Bob leaves: ann and cat side by side.
	w.RemovePeer("bob")
	waitForScreen(t, display, "tiles-2.png", func(shot image.Image) error {
		tiles := tilePictures(win, 2)
		for i, p := range []peerPicture{ann, cat} {
			if err := checkTile(shot, tiles[i], p.colour()); err != nil {
				return fmt.Errorf("%s's tile %v once bob left: %v", p.name, tiles[i], err)
			}
		}
		return nil
	})

	// Dan comes with no video: a tile of its own, with the name.
	w.SetLabel("dan", "dan")
	w.ShowPeer("dan", nil)
	waitForScreen(t, display, "tiles-no-video.png", func(shot image.Image) error {
		tiles := tilePictures(win, 3)
		cells := picture.Grid(3, 4, 3, image.Rect(0, 0, 640, 480).Add(win.Min))
		empty := cells[2].Inset(tileGap)
		if err := checkTile(shot, image.Rect(empty.Min.X, empty.Min.Y, empty.Max.X, empty.Min.Y+60), tileEmpty); err != nil {
			return fmt.Errorf("dan's tile: %v", err)
		}
		if err := checkLabel(shot, empty, "dan"); err != nil {
			return fmt.Errorf("dan's tile: %v", err)
		}
		return checkTile(shot, tiles[1], cat.colour())
	})

	// One peer left alone fills the window, with no label, as in a call
	// of two.
	w.RemovePeer("dan")
	w.RemovePeer("cat")
	waitForScreen(t, display, "tiles-1.png", func(shot image.Image) error {
		r := image.Rect(0, 0, 640, 480).Add(win.Min)
		if err := checkTile(shot, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Max.Y-20), ann.colour()); err != nil {
			return fmt.Errorf("ann alone: %v", err)
		}
		if c := picture.Color(shot, r.Min.X+8, r.Max.Y-8); !near(c, ann.colour(), 12) {
			return fmt.Errorf("ann alone has a label: the corner is %s", colorString(c))
		}
		return nil
	})
}
