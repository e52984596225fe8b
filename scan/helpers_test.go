package scan

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pigeon-call/pigeon/offline"
)

// compactOffer is a real compact offer, as README and pigeon inspect show.
const compactOffer = "pg4o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodT-cGn5bINhGgH8AAAGo0zheNI4"

// fullCode returns a full code of the kind, about n characters long, whose
// SDP does not compress away: a code that needs several QR codes.
func fullCode(t testing.TB, kind offline.Kind, n int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), uint64(kind)))
	var sdp strings.Builder
	sdp.WriteString("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n")
	for sdp.Len() < n*3/4 {
		fmt.Fprintf(&sdp, "a=x-pad:%016x\r\n", rng.Uint64())
	}
	code, err := offline.EncodeAs(offline.Signal{Kind: kind, SDP: sdp.String()}, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// qrImage renders text as pigeon's --qr-png does, with modules of px pixels.
func qrImage(t testing.TB, text string, px int) *image.Gray {
	t.Helper()
	var b bytes.Buffer
	if err := offline.WriteQRPNG(&b, text, px); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return toGray(img)
}

// The distortions a camera adds to a code on a screen. Each returns a new
// grey picture; rng, where used, makes each frame differ.

func toGray(img image.Image) *image.Gray {
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g
}

// onCanvas puts img in the middle of a w×h grey picture, as a code in a
// camera frame.
func onCanvas(img image.Image, w, h int, bg uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Bounds(), image.NewUniform(color.Gray{bg}), image.Point{}, draw.Src)
	b := img.Bounds()
	at := image.Pt((w-b.Dx())/2, (h-b.Dy())/2)
	draw.Draw(g, b.Sub(b.Min).Add(at), img, b.Min, draw.Src)
	return g
}

// noise adds gaussian noise of standard deviation sigma grey levels.
func noise(img *image.Gray, sigma float64, rng *rand.Rand) *image.Gray {
	g := image.NewGray(img.Rect)
	for i, v := range img.Pix {
		g.Pix[i] = clamp(float64(v) + rng.NormFloat64()*sigma)
	}
	return g
}

// blur applies a box blur of the given radius, twice (close to a gaussian).
func blur(img *image.Gray, radius int) *image.Gray {
	return boxBlur(boxBlur(img, radius), radius)
}

func boxBlur(img *image.Gray, r int) *image.Gray {
	b := img.Rect
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			sum, n := 0, 0
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					p := image.Pt(x+dx, y+dy)
					if p.In(b) {
						sum += int(img.GrayAt(p.X, p.Y).Y)
						n++
					}
				}
			}
			g.SetGray(x, y, color.Gray{uint8(sum / n)})
		}
	}
	return g
}

// rotate turns img by deg degrees about its centre, bilinearly, on a white
// background large enough to hold it.
func rotate(img *image.Gray, deg float64) *image.Gray {
	b := img.Rect
	w, h := float64(b.Dx()), float64(b.Dy())
	sin, cos := math.Sincos(deg * math.Pi / 180)
	side := int(math.Ceil(math.Abs(w*cos) + math.Abs(h*sin)))
	g := image.NewGray(image.Rect(0, 0, side, side))
	c := float64(side) / 2
	for y := range side {
		for x := range side {
			// Where this pixel comes from in img.
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			sx, sy := cos*dx+sin*dy+w/2-0.5, -sin*dx+cos*dy+h/2-0.5
			g.Pix[y*g.Stride+x] = bilinear(img, sx, sy)
		}
	}
	return g
}

// scale resizes img by factor, averaging the pixels each new one covers
// (a camera's sensor does the same).
func scale(img *image.Gray, factor float64) *image.Gray {
	b := img.Rect
	w, h := int(float64(b.Dx())*factor), int(float64(b.Dy())*factor)
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			x0, x1 := int(float64(x)/factor), int(float64(x+1)/factor)
			y0, y1 := int(float64(y)/factor), int(float64(y+1)/factor)
			sum, n := 0, 0
			for sy := y0; sy < max(y1, y0+1); sy++ {
				for sx := x0; sx < max(x1, x0+1); sx++ {
					sum += int(img.Pix[(sy)*img.Stride+sx])
					n++
				}
			}
			g.Pix[y*g.Stride+x] = uint8(sum / n)
		}
	}
	return g
}

// dim maps black and white to the grey levels lo and hi: a dim screen, or
// one photographed in glare.
func dim(img *image.Gray, lo, hi uint8) *image.Gray {
	g := image.NewGray(img.Rect)
	for i, v := range img.Pix {
		g.Pix[i] = clamp(float64(lo) + float64(v)/255*float64(hi-lo))
	}
	return g
}

// invert swaps light and dark, as --qr-invert draws a code.
func invert(img *image.Gray) *image.Gray {
	g := image.NewGray(img.Rect)
	for i, v := range img.Pix {
		g.Pix[i] = 255 - v
	}
	return g
}

// cover paints a black square over the fraction frac of img's middle.
func cover(img *image.Gray, frac float64) *image.Gray {
	g := image.NewGray(img.Rect)
	copy(g.Pix, img.Pix)
	b := img.Rect
	w, h := int(float64(b.Dx())*frac), int(float64(b.Dy())*frac)
	r := image.Rect(0, 0, w, h).Add(b.Min).Add(image.Pt((b.Dx()-w)/2, (b.Dy()-h)/2))
	draw.Draw(g, r, image.Black, image.Point{}, draw.Src)
	return g
}

func bilinear(img *image.Gray, x, y float64) uint8 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	at := func(x, y int) float64 {
		if !image.Pt(x, y).In(img.Rect) {
			return 255
		}
		return float64(img.Pix[(y-img.Rect.Min.Y)*img.Stride+x-img.Rect.Min.X])
	}
	ix, iy := int(x0), int(y0)
	top := at(ix, iy)*(1-fx) + at(ix+1, iy)*fx
	bottom := at(ix, iy+1)*(1-fx) + at(ix+1, iy+1)*fx
	return clamp(top*(1-fy) + bottom*fy)
}

func clamp(v float64) uint8 {
	return uint8(math.Round(min(max(v, 0), 255)))
}

func pngEncode(w io.Writer, img image.Image) error { return png.Encode(w, img) }

func drawAt(dst *image.Gray, src image.Image, at image.Point) {
	b := src.Bounds()
	draw.Draw(dst, b.Sub(b.Min).Add(at), src, b.Min, draw.Src)
}

// keystone tilts img about its horizontal axis, with a true perspective
// (the homography x' = x/(1+c·y), y' = y/(1+c·y), x from the middle and y
// from the top): its bottom edge ends 1/(1+c) as wide as its top, and the
// rows come closer together towards it, as a screen photographed from above.
func keystone(img *image.Gray, c float64) *image.Gray {
	b := img.Rect
	w, h := float64(b.Dx()), float64(b.Dy())
	g := image.NewGray(b)
	for y := range b.Dy() {
		for x := range b.Dx() {
			// Where this pixel comes from: the inverse homography.
			yp, xp := (float64(y)+0.5)/h, (float64(x)+0.5-w/2)/h
			den := 1 - c*yp
			v := uint8(255)
			if den > 0 {
				sx, sy := xp/den*h+w/2-0.5, yp/den*h-0.5
				v = bilinear(img, sx+float64(b.Min.X), sy+float64(b.Min.Y))
			}
			g.Pix[y*g.Stride+x] = v
		}
	}
	return g
}
