package picture

import (
	"image"
	"image/color"
)

// Polygon draws the closed outline through pts into dst, in lines width
// pixels thick: a found QR code's outline over a camera's frame.
func Polygon(dst *image.RGBA, pts []image.Point, c color.RGBA, width int) {
	for i, p := range pts {
		Line(dst, p, pts[(i+1)%len(pts)], c, width)
	}
}

// Line draws a line from a to b into dst, width pixels thick; what falls
// outside dst is left out.
func Line(dst *image.RGBA, a, b image.Point, c color.RGBA, width int) {
	width = max(width, 1)
	dx, dy := abs(b.X-a.X), abs(b.Y-a.Y)
	steps := max(dx, dy, 1)
	for i := 0; i <= steps; i++ {
		x := a.X + (b.X-a.X)*i/steps
		y := a.Y + (b.Y-a.Y)*i/steps
		dot := image.Rect(x-width/2, y-width/2, x-width/2+width, y-width/2+width).Intersect(dst.Rect)
		for py := dot.Min.Y; py < dot.Max.Y; py++ {
			for px := dot.Min.X; px < dot.Max.X; px++ {
				dst.SetRGBA(px, py, c)
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// MapPoint returns where p of a picture with bounds from lands when that
// picture is drawn into the rectangle to (as Scale draws it).
func MapPoint(p image.Point, from, to image.Rectangle) image.Point {
	if from.Empty() {
		return to.Min
	}
	return image.Pt(
		to.Min.X+(p.X-from.Min.X)*to.Dx()/from.Dx(),
		to.Min.Y+(p.Y-from.Min.Y)*to.Dy()/from.Dy(),
	)
}
