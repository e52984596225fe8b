package render

import (
	"image"
	"image/color"

	"github.com/pigeon-call/pigeon/render/picture"
)

// Colours of a code's outline over a camera's preview.
var (
	OutlineRead = color.RGBA{40, 220, 60, 255}  // a code read
	OutlineSeen = color.RGBA{250, 170, 20, 255} // a code seen but not read
)

// PreviewFrame is a camera's frame shown while a code is scanned, before
// the peer's video comes.
type PreviewFrame struct {
	Picture image.Image
	// Outline, in Picture's coordinates, is drawn over it in Color: where
	// a code was found.
	Outline []image.Point
	Color   color.RGBA
}

// previewWidth bounds the size of a preview: a camera's frame is scaled
// down to it before the outline is drawn.
const previewWidth = 640

// ShowPreview shows f in the window, where the peer's video goes, with its
// outline: what the camera sees while it reads the peer's code. It copies
// the picture, so the camera may reuse it. A terminal view is left alone
// (the terminal then shows the codes; see termview.Block), and so is no
// view. The peer's first picture takes the preview's place.
func (o *Output) ShowPreview(f PreviewFrame) {
	if o.win == nil {
		return
	}
	b := f.Picture.Bounds()
	img := picture.Thumbnail(f.Picture, previewWidth, previewWidth*b.Dy()/max(b.Dx(), 1))
	if len(f.Outline) > 1 {
		pts := make([]image.Point, len(f.Outline))
		for i, p := range f.Outline {
			pts[i] = picture.MapPoint(p, b, img.Rect)
		}
		picture.Polygon(img, pts, f.Color, max(img.Rect.Dx()/160, 2))
	}
	o.win.ShowRemote(img)
}

// EndPreview takes the preview away.
func (o *Output) EndPreview() {
	if o.win != nil {
		o.win.ShowRemote(nil)
	}
}

// Window reports whether the output shows its video in a window.
func (o *Output) Window() bool { return o.win != nil }
