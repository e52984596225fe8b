package scan

import (
	"errors"
	"image"
	"math"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// Symbol is one QR code read from a picture.
type Symbol struct {
	Text string
	// Outline holds the points the decoder located the code by, in the
	// picture's coordinates: the centres of its finder patterns, and of
	// its alignment pattern when it has one. A preview draws them to show
	// where the code was found.
	Outline []image.Point
}

// Hint says, for the person holding a code, why a QR code that was seen
// could not be read. The zero Hint means no code was seen at all.
type Hint int

// The hints Decode gives with ErrUnreadable.
const (
	HintNone      Hint = iota // no code seen
	HintBlurred               // the code was located, but its modules did not read right
	HintDistorted             // the code was located, but its format could not be read
	HintTooFar                // the code's finder patterns were seen, with modules too small to read
)

// minModulePixels is the smallest module, in pixels of the picture, that
// the decoder reads reliably: a code whose finder patterns show smaller
// modules is too far from the camera (or too small on its screen).
const minModulePixels = 3.0

// String returns the hint as a sentence for the person holding the code.
func (h Hint) String() string {
	switch h {
	case HintBlurred:
		return "a code is in view but blurred, too far or partly covered: hold it steady, closer and in full"
	case HintDistorted:
		return "a code is in view but cannot be read: hold it flat and straight, facing the camera"
	case HintTooFar:
		return "a code is in view but too small to read: bring it closer, or make it larger on its screen"
	}
	return ""
}

// UnreadableError is the error for a QR code that was seen but not read. It
// matches ErrUnreadable with errors.Is.
type UnreadableError struct {
	Hint Hint
	Err  error // the decoder's own error
	// Outline holds the centres of the finder patterns seen, when they
	// were: where a preview shows the code that could not be read.
	Outline []image.Point
}

func (e *UnreadableError) Error() string { return ErrUnreadable.Error() + " (" + e.Hint.String() + ")" }

// Is reports whether target is ErrUnreadable, or what it stands for.
func (e *UnreadableError) Is(target error) bool { return errors.Is(ErrUnreadable, target) }

// Unwrap returns the decoder's error.
func (e *UnreadableError) Unwrap() error { return e.Err }

// tryHarder asks gozxing to look at every row for finder patterns, not
// every few: a small code in a large camera frame is otherwise missed.
var tryHarder = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// Decode finds one QR code in img and returns its text, dark on light or
// light on dark (as --qr-invert draws it). It returns ErrNoCode if there is
// none, and an *UnreadableError, with a hint, for one it sees but cannot
// read.
func Decode(img image.Image) (Symbol, error) {
	grey := luminance(img)
	var (
		seen    error
		located *gozxing.BinaryBitmap // the picture as the decoder saw it when it located a code
	)
	for _, a := range attempts {
		src, err := a.source(grey, img.Bounds())
		if err != nil {
			return Symbol{}, err
		}
		bmp, err := gozxing.NewBinaryBitmap(a.binarizer(src))
		if err != nil {
			return Symbol{}, err
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, tryHarder)
		if err == nil {
			return symbolOf(res, a.back(img.Bounds())), nil
		}
		if a.turned {
			continue // a last try: where it saw something is said the way up the picture is
		}
		if seen == nil && unreadable(err) != HintNone {
			seen, located = err, bmp
		}
		if located == nil {
			located = bmp
		}
	}
	// Where were its finder patterns, and how large are its modules? A
	// code the decoder gave up on before reading anything may still show
	// them, and their size says whether it is too far.
	outline, module := findPatterns(located, img.Bounds().Min)
	switch {
	case outline != nil && module < minModulePixels:
		return Symbol{}, &UnreadableError{Hint: HintTooFar, Err: orNoCode(seen), Outline: outline}
	case seen != nil:
		return Symbol{}, &UnreadableError{Hint: unreadable(seen), Err: seen, Outline: outline}
	}
	return Symbol{}, ErrNoCode
}

// orNoCode returns err, or ErrNoCode when it is nil.
func orNoCode(err error) error {
	if err == nil {
		return ErrNoCode
	}
	return err
}

// findPatterns looks for the three finder patterns of a QR code in bmp,
// and returns their centres and the size of a module they show, in pixels;
// nil if there are not three.
func findPatterns(bmp *gozxing.BinaryBitmap, origin image.Point) ([]image.Point, float64) {
	if bmp == nil {
		return nil, 0
	}
	bits, err := bmp.GetBlackMatrix()
	if err != nil {
		return nil, 0
	}
	info, err := detector.NewFinderPatternFinder(bits, nil).Find(tryHarder)
	if err != nil {
		return nil, 0
	}
	var (
		outline []image.Point
		module  float64
	)
	for _, p := range []*detector.FinderPattern{info.GetBottomLeft(), info.GetTopLeft(), info.GetTopRight()} {
		outline = append(outline, image.Pt(int(math.Round(p.GetX())), int(math.Round(p.GetY()))).Add(origin))
		module += p.GetEstimatedModuleSize() / 3
	}
	return outline, module
}

// attempt is one way of turning a picture into black and white for the
// decoder. Decode tries them in order until one reads a code.
type attempt struct {
	source    func(grey []byte, b image.Rectangle) (gozxing.LuminanceSource, error)
	binarizer func(gozxing.LuminanceSource) gozxing.Binarizer
	turned    bool // source turns the picture a quarter turn clockwise
}

// back returns the function that takes a point of what the decoder saw
// back to the picture b.
func (a attempt) back(b image.Rectangle) func(x, y float64) image.Point {
	return func(x, y float64) image.Point {
		p := image.Pt(int(math.Round(x)), int(math.Round(y)))
		if a.turned {
			p = image.Pt(p.Y, b.Dy()-1-p.X)
		}
		return p.Add(b.Min)
	}
}

var (
	hybrid = gozxing.NewHybridBinarizer
	global = gozxing.NewGlobalHistgramBinarizer
	asIs   = clipped(255)
)

// attempts: local thresholds first, which cope with uneven light; then one
// threshold for the whole picture, which copes with blur; then light on
// dark; then the picture with its light greys made white, for a dim screen
// in a bright frame, whose light modules are darker than the room around
// it and whose quiet zone the local thresholds would take for dark; last,
// the picture turned (see quarterTurned).
var attempts = []attempt{
	{source: asIs, binarizer: hybrid},
	{source: asIs, binarizer: global},
	{source: inverted, binarizer: hybrid},
	{source: inverted, binarizer: global},
	{source: clipped(160), binarizer: global},
	{source: clipped(112), binarizer: hybrid},
	{source: quarterTurned, binarizer: hybrid, turned: true},
}

// quarterTurned is the picture as it is, turned a quarter turn clockwise.
// gozxing's finder misses a few symbols upright that it finds turned: one
// part in a hundred or so of long codes drawn as pigeon draws them and laid
// out in a camera's frame, and then every time, since the picture does not
// change.
func quarterTurned(grey []byte, b image.Rectangle) (gozxing.LuminanceSource, error) {
	w, h := b.Dx(), b.Dy()
	turned := make([]byte, len(grey))
	for y := range h {
		row := grey[y*w : (y+1)*w]
		for x, v := range row {
			turned[x*h+h-1-y] = v
		}
	}
	return gozxing.NewPlanarYUVLuminanceSource(turned, h, w, 0, 0, h, w, false)
}

func inverted(grey []byte, b image.Rectangle) (gozxing.LuminanceSource, error) {
	src, err := asIs(grey, b)
	if err != nil {
		return nil, err
	}
	return src.Invert(), nil
}

// clipped returns a source of grey levels where every level from top up is
// white, and the rest stretched below it.
func clipped(top int) func([]byte, image.Rectangle) (gozxing.LuminanceSource, error) {
	return func(grey []byte, b image.Rectangle) (gozxing.LuminanceSource, error) {
		if top < 255 {
			levels := make([]byte, len(grey))
			for i, v := range grey {
				levels[i] = byte(min(int(v), top) * 255 / top)
			}
			grey = levels
		}
		return gozxing.NewPlanarYUVLuminanceSource(grey, b.Dx(), b.Dy(), 0, 0, b.Dx(), b.Dy(), false)
	}
}

// DecodeAll returns the text of every QR code found in img: a picture of
// the numbered parts of a long code side by side. Its errors are those of
// Decode.
func DecodeAll(img image.Image) ([]Symbol, error) {
	lum, err := asIs(luminance(img), img.Bounds())
	if err != nil {
		return nil, err
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(lum))
	if err != nil {
		return nil, err
	}
	results, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, tryHarder)
	if err != nil || len(results) == 0 {
		// The single reader also tries the inverted picture and another
		// binarizer, and tells an unreadable code from none.
		s, err := Decode(img)
		if err != nil {
			return nil, err
		}
		return []Symbol{s}, nil
	}
	symbols := make([]Symbol, len(results))
	for i, r := range results {
		symbols[i] = symbolOf(r, attempt{}.back(img.Bounds()))
	}
	return symbols, nil
}

// unreadable returns the hint for a decoder's error: HintNone when it found
// no code.
func unreadable(err error) Hint {
	switch err.(type) {
	case gozxing.ChecksumException:
		return HintBlurred
	case gozxing.FormatException:
		return HintDistorted
	}
	return HintNone
}

// symbolOf returns the symbol the decoder read, its outline taken to the
// picture's points by at.
func symbolOf(res *gozxing.Result, at func(x, y float64) image.Point) Symbol {
	s := Symbol{Text: res.GetText()}
	for _, p := range res.GetResultPoints() {
		s.Outline = append(s.Outline, at(p.GetX(), p.GetY()))
	}
	return s
}

// luminance returns the grey levels of img for the decoder, row by row. A camera's
// YCbCr frame gives its Y plane as it is; other pictures are converted
// pixel by pixel, as gozxing does, but without its per-pixel interface
// calls for the common types.
func luminance(img image.Image) []byte {
	b := img.Bounds()
	return luminanceInto(make([]byte, b.Dx()*b.Dy()), img)
}

// luminanceInto is luminance writing into y, which holds a byte for each
// pixel of img.
func luminanceInto(y []byte, img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.YCbCr:
		for row := range h {
			start := m.YOffset(b.Min.X, b.Min.Y+row)
			copy(y[row*w:(row+1)*w], m.Y[start:start+w])
		}
	case *image.Gray:
		for row := range h {
			start := m.PixOffset(b.Min.X, b.Min.Y+row)
			copy(y[row*w:(row+1)*w], m.Pix[start:start+w])
		}
	case *image.RGBA:
		for row := range h {
			start := m.PixOffset(b.Min.X, b.Min.Y+row)
			for x := range w {
				p := m.Pix[start+4*x : start+4*x+4]
				y[row*w+x] = grey(uint32(p[0]), uint32(p[1]), uint32(p[2]), uint32(p[3]), 0xff)
			}
		}
	default:
		for row := range h {
			for x := range w {
				r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+row).RGBA()
				y[row*w+x] = grey(r, g, bl, a, 0xffff)
			}
		}
	}
	return y
}

// grey returns the luminance of a premultiplied colour whose channels go to
// full, as gozxing weighs it, over a white background where it is
// transparent.
func grey(r, g, b, a, full uint32) byte {
	lum := (r + 2*g + b) / 4
	return byte((lum + (full - a)) * 255 / full)
}
