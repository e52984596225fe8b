package render

import (
	"image"
	"image/color"
	"image/draw"

	"github.com/pigeon-call/pigeon/render/picture"
)

// Colours of a code's outline over a camera's preview.
var (
	OutlineRead = color.RGBA{40, 220, 60, 255}  // a code read
	OutlineSeen = color.RGBA{250, 170, 20, 255} // a code seen but not read
)

// PreviewFrame is what the window shows while the codes are exchanged,
// before the peer's video comes: this side's QR code for the peer's camera,
// and what this side's camera sees, side by side.
type PreviewFrame struct {
	// Code, if not nil, is a QR code with one pixel a module (and its
	// quiet zone), drawn on the left as large as the window allows, each
	// module the same whole number of pixels.
	Code image.Image

	// Picture, if not nil, is the camera's frame, drawn right of the code.
	// Outline, in Picture's coordinates, is drawn over it in Color: where
	// a code was found.
	Picture image.Image
	Outline []image.Point
	Color   color.RGBA
}

// previewHeight is the height of a preview: a camera's frame is scaled
// down to it before the outline is drawn, and the code scaled up.
const previewHeight = 480

// ShowPreview shows f in the window, where the peer's video goes. It
// copies the pictures, so the camera may reuse them. A terminal view is
// left alone (the terminal then shows the codes; see termview.Block), and
// so is no view. Once the peer's video has come, the preview is not shown
// again.
func (o *Output) ShowPreview(f PreviewFrame) {
	if o.win == nil || o.peerShown.Load() {
		return
	}
	if !o.previewing.Swap(true) {
		// The self-view would show the camera's picture twice.
		o.win.ShowLocal(nil)
	}
	var pic *image.RGBA
	if f.Picture != nil {
		b := f.Picture.Bounds()
		pic = picture.Thumbnail(f.Picture, previewHeight*b.Dx()/max(b.Dy(), 1), previewHeight)
		if len(f.Outline) > 1 {
			pts := make([]image.Point, len(f.Outline))
			for i, p := range f.Outline {
				pts[i] = picture.MapPoint(p, b, pic.Rect)
			}
			picture.Polygon(pic, pts, f.Color, max(pic.Rect.Dx()/120, 3))
		}
	}
	var code *image.RGBA
	if f.Code != nil {
		// The same code comes with each of the camera's frames: it is
		// scaled up once.
		o.mu.Lock()
		if o.crispFor != f.Code {
			o.crispFor, o.crisp = f.Code, crisp(f.Code, previewHeight)
		}
		code = o.crisp
		o.mu.Unlock()
	}
	switch {
	case code != nil && pic != nil:
		// Side by side, on the height of the taller, a gap between.
		gap := previewHeight / 16
		h := max(code.Rect.Dy(), pic.Rect.Dy())
		both := image.NewRGBA(image.Rect(0, 0, code.Rect.Dx()+gap+pic.Rect.Dx(), h))
		draw.Draw(both, code.Rect.Add(image.Pt(0, (h-code.Rect.Dy())/2)), code, image.Point{}, draw.Src)
		draw.Draw(both, pic.Rect.Add(image.Pt(code.Rect.Dx()+gap, (h-pic.Rect.Dy())/2)), pic, image.Point{}, draw.Src)
		o.win.ShowRemote(both)
	case code != nil:
		o.win.ShowRemote(code)
	case pic != nil:
		o.win.ShowRemote(pic)
	}
}

// crisp scales a QR code up by the largest whole number that keeps it
// within height, each module a square of the same pixels.
func crisp(code image.Image, height int) *image.RGBA {
	b := code.Bounds()
	k := max(height/max(b.Dy(), 1), 1)
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := color.RGBAModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
			draw.Draw(dst, image.Rect(x*k, y*k, x*k+k, y*k+k), image.NewUniform(c), image.Point{}, draw.Src)
		}
	}
	return dst
}

// EndPreview takes the preview away, unless the peer's video took its
// place already.
func (o *Output) EndPreview() {
	if o.win != nil && !o.peerShown.Load() {
		o.win.ShowRemote(nil)
	}
	o.previewing.Store(false)
}

// Window reports whether the output shows its video in a window.
func (o *Output) Window() bool { return o.win != nil }
