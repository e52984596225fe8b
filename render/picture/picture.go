// Package picture holds the image helpers that pigeon's views share: colour
// conversion as video defines it, scaling to fit, and thumbnails.
package picture

import (
	"image"
	"image/color"
)

// RGB converts a BT.601 limited-range Y'CbCr sample, which is what VP8
// carries and what cameras give, to 8-bit RGB. (image/color's conversion is
// the JPEG full-range one, which would wash out every picture.)
func RGB(y, cb, cr uint8) (r, g, b uint8) {
	// Fixed point, 16 fractional bits: 1.164, 1.596, 0.392, 0.813, 2.017.
	yy := (int32(y) - 16) * 76284
	u := int32(cb) - 128
	v := int32(cr) - 128
	return clamp(yy + 104595*v), clamp(yy - 25690*u - 53281*v), clamp(yy + 132186*u)
}

func clamp(x int32) uint8 {
	x = (x + 1<<15) >> 16
	if x < 0 {
		return 0
	}
	if x > 255 {
		return 255
	}
	return uint8(x)
}

// Fit is the largest rectangle of the aspect of a width x height picture
// that fits in box, centred in it.
func Fit(width, height int, box image.Rectangle) image.Rectangle {
	bw, bh := box.Dx(), box.Dy()
	if width <= 0 || height <= 0 || bw <= 0 || bh <= 0 {
		return image.Rectangle{}
	}
	w, h := bw, bw*height/width
	if h > bh {
		w, h = bh*width/height, bh
	}
	w, h = max(w, 1), max(h, 1)
	x0 := box.Min.X + (bw-w)/2
	y0 := box.Min.Y + (bh-h)/2
	return image.Rect(x0, y0, x0+w, y0+h)
}

// Scale draws src into dst's rectangle r, averaging the source pixels that
// fall into each destination pixel (up to 4x4 of them, which is plenty to
// keep a downscaled picture from shimmering). dst must be an RGBA image.
func Scale(dst *image.RGBA, r image.Rectangle, src image.Image) {
	r = r.Intersect(dst.Rect)
	sb := src.Bounds()
	if r.Empty() || sb.Empty() {
		return
	}
	if ycc, ok := src.(*image.YCbCr); ok {
		scaleYCbCr(dst, r, ycc)
		return
	}
	sw, sh := sb.Dx(), sb.Dy()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		sy0 := sb.Min.Y + (y-r.Min.Y)*sh/r.Dy()
		sy1 := max(sb.Min.Y+(y-r.Min.Y+1)*sh/r.Dy(), sy0+1)
		for x := r.Min.X; x < r.Max.X; x++ {
			sx0 := sb.Min.X + (x-r.Min.X)*sw/r.Dx()
			sx1 := max(sb.Min.X+(x-r.Min.X+1)*sw/r.Dx(), sx0+1)
			var rs, gs, bs, n uint32
			for sy := sy0; sy < sy1; sy += step(sy1 - sy0) {
				for sx := sx0; sx < sx1; sx += step(sx1 - sx0) {
					cr, cg, cb, _ := src.At(sx, sy).RGBA()
					rs, gs, bs, n = rs+cr>>8, gs+cg>>8, bs+cb>>8, n+1
				}
			}
			i := dst.PixOffset(x, y)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(rs/n), uint8(gs/n), uint8(bs/n), 255
		}
	}
}

// step samples at most 4 source pixels along a span of n.
func step(n int) int { return max(n/4, 1) }

func scaleYCbCr(dst *image.RGBA, r image.Rectangle, src *image.YCbCr) {
	sb := src.Rect
	sw, sh := sb.Dx(), sb.Dy()
	dw, dh := r.Dx(), r.Dy()
	for y := range dh {
		sy0 := sb.Min.Y + y*sh/dh
		sy1 := max(sb.Min.Y+(y+1)*sh/dh, sy0+1)
		ys := step(sy1 - sy0)
		row := dst.PixOffset(r.Min.X, r.Min.Y+y)
		for x := range dw {
			sx0 := sb.Min.X + x*sw/dw
			sx1 := max(sb.Min.X+(x+1)*sw/dw, sx0+1)
			xs := step(sx1 - sx0)
			var ysum, cbsum, crsum, n uint32
			for sy := sy0; sy < sy1; sy += ys {
				yi := src.YOffset(sx0, sy)
				for sx := sx0; sx < sx1; sx += xs {
					ci := src.COffset(sx, sy)
					ysum += uint32(src.Y[yi+sx-sx0])
					cbsum += uint32(src.Cb[ci])
					crsum += uint32(src.Cr[ci])
					n++
				}
			}
			cr, cg, cb := RGB(uint8(ysum/n), uint8(cbsum/n), uint8(crsum/n))
			i := row + 4*x
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = cr, cg, cb, 255
		}
	}
}

// Thumbnail is src scaled down to fit maxWidth x maxHeight, keeping its
// aspect; a new image that src's owner may overwrite src after.
func Thumbnail(src image.Image, maxWidth, maxHeight int) *image.RGBA {
	b := src.Bounds()
	fit := Fit(b.Dx(), b.Dy(), image.Rect(0, 0, min(maxWidth, b.Dx()), min(maxHeight, b.Dy())))
	dst := image.NewRGBA(image.Rect(0, 0, fit.Dx(), fit.Dy()))
	Scale(dst, dst.Rect, src)
	return dst
}

// Color is the colour of the pixel at x, y as RGB, whatever src's model.
func Color(src image.Image, x, y int) color.RGBA {
	if ycc, ok := src.(*image.YCbCr); ok {
		c := ycc.YCbCrAt(x, y)
		r, g, b := RGB(c.Y, c.Cb, c.Cr)
		return color.RGBA{r, g, b, 255}
	}
	return color.RGBAModel.Convert(src.At(x, y)).(color.RGBA)
}

// Copy returns a copy of img that does not share its pixels, for keeping a
// frame that its source will overwrite: a 4:2:0 *image.YCbCr as it is (the
// window shows those without converting them), anything else as RGBA of the
// same size.
func Copy(img image.Image) image.Image {
	if ycc, ok := img.(*image.YCbCr); ok && ycc.SubsampleRatio == image.YCbCrSubsampleRatio420 {
		c := image.NewYCbCr(ycc.Rect, ycc.SubsampleRatio)
		for y := ycc.Rect.Min.Y; y < ycc.Rect.Max.Y; y++ {
			copy(c.Y[c.YOffset(ycc.Rect.Min.X, y):][:ycc.Rect.Dx()], ycc.Y[ycc.YOffset(ycc.Rect.Min.X, y):])
		}
		cw := (ycc.Rect.Max.X+1)/2 - ycc.Rect.Min.X/2
		for y := ycc.Rect.Min.Y; y < ycc.Rect.Max.Y; y += 2 {
			ci, si := c.COffset(ycc.Rect.Min.X, y), ycc.COffset(ycc.Rect.Min.X, y)
			copy(c.Cb[ci:ci+cw], ycc.Cb[si:])
			copy(c.Cr[ci:ci+cw], ycc.Cr[si:])
		}
		return c
	}
	b := img.Bounds()
	return Thumbnail(img, b.Dx(), b.Dy())
}

// Half returns a 4:2:0 picture at half src's width and height, each pixel
// the average of the four it replaces: a quarter of the bytes to keep and
// to draw, for a picture shown small, such as the self-view.
func Half(src *image.YCbCr) *image.YCbCr {
	b := src.Rect
	w, h := b.Dx()/2, b.Dy()/2
	dst := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		row := dst.Y[y*dst.YStride:][:w]
		top := src.Y[src.YOffset(b.Min.X, b.Min.Y+2*y):]
		bottom := src.Y[src.YOffset(b.Min.X, b.Min.Y+2*y+1):]
		for x := range row {
			row[x] = uint8((int(top[2*x]) + int(top[2*x+1]) + int(bottom[2*x]) + int(bottom[2*x+1]) + 2) / 4)
		}
	}
	// Each chroma sample of src covers 2x2 pixels; of dst, 4x4.
	cw, ch := (w+1)/2, (h+1)/2
	for _, planes := range [][2][]uint8{{dst.Cb, src.Cb}, {dst.Cr, src.Cr}} {
		out, in := planes[0], planes[1]
		for y := range ch {
			y0 := min(b.Min.Y+4*y, b.Max.Y-1)
			y1 := min(y0+2, b.Max.Y-1)
			for x := range cw {
				x0 := min(b.Min.X+4*x, b.Max.X-1)
				x1 := min(x0+2, b.Max.X-1)
				sum := int(in[src.COffset(x0, y0)]) + int(in[src.COffset(x1, y0)]) +
					int(in[src.COffset(x0, y1)]) + int(in[src.COffset(x1, y1)])
				out[y*dst.CStride+x] = uint8((sum + 2) / 4)
			}
		}
	}
	return dst
}

// CopyYCbCr copies src into dst, or into a new picture when dst is nil or
// of another size or subsampling, and returns the copy, whose bounds start
// at (0, 0): for a view that keeps a picture its maker reuses. A part of a
// subsampled picture that starts at an odd row or column cannot keep its
// colour samples where they were: each takes one of the pixels it covers.
func CopyYCbCr(dst, src *image.YCbCr) *image.YCbCr {
	r := src.Rect
	if dst == nil || dst.Rect != image.Rect(0, 0, r.Dx(), r.Dy()) || dst.SubsampleRatio != src.SubsampleRatio {
		dst = image.NewYCbCr(image.Rect(0, 0, r.Dx(), r.Dy()), src.SubsampleRatio)
	}
	if r.Min != (image.Point{}) {
		// Chroma samples would fall elsewhere: pixel by pixel.
		for y := range r.Dy() {
			for x := range r.Dx() {
				dst.Y[dst.YOffset(x, y)] = src.Y[src.YOffset(r.Min.X+x, r.Min.Y+y)]
				di, si := dst.COffset(x, y), src.COffset(r.Min.X+x, r.Min.Y+y)
				dst.Cb[di], dst.Cr[di] = src.Cb[si], src.Cr[si]
			}
		}
		return dst
	}
	for y := range r.Dy() {
		copy(dst.Y[y*dst.YStride:y*dst.YStride+r.Dx()], src.Y[y*src.YStride:])
	}
	// The same geometry from (0, 0): dst's chroma rows are as wide as its
	// stride, and as many as its planes hold.
	for cy := range len(dst.Cb) / max(dst.CStride, 1) {
		copy(dst.Cb[cy*dst.CStride:(cy+1)*dst.CStride], src.Cb[cy*src.CStride:])
		copy(dst.Cr[cy*dst.CStride:(cy+1)*dst.CStride], src.Cr[cy*src.CStride:])
	}
	return dst
}
