package scan

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"

	"github.com/pigeon-call/pigeon/offline"
)

// distortion makes the n-th frame a camera would show of a code: each call
// may differ (fresh noise), as successive camera frames do.
type distortion struct {
	name string
	// frame returns the n-th frame showing code.
	frame func(code image.Image, rng *rand.Rand) image.Image
	// within is how many frames the scanner may need; 0 means the code
	// must be reported unreadable, or not found, instead.
	within int
}

// camera puts a code in a 640×480 frame on a light-grey background.
func camera(img *image.Gray) *image.Gray { return onCanvas(img, 640, 480, 200) }

// distortions are named as the rows of the benchmarks' table: lower case
// ASCII, words joined by hyphens.
func distortions() []distortion {
	g := func(img image.Image) *image.Gray { return toGray(img) }
	return []distortion{
		{"clean", func(c image.Image, _ *rand.Rand) image.Image { return camera(g(c)) }, 1},
		{"noise", func(c image.Image, rng *rand.Rand) image.Image { return noise(camera(g(c)), 40, rng) }, 3},
		{"blur", func(c image.Image, _ *rand.Rand) image.Image { return camera(blur(g(c), 1)) }, 1},
		{"rotated-10deg", func(c image.Image, _ *rand.Rand) image.Image { return camera(rotate(g(c), 10)) }, 1},
		{"rotated-45deg", func(c image.Image, _ *rand.Rand) image.Image { return camera(rotate(g(c), 45)) }, 1},
		{"upside-down", func(c image.Image, _ *rand.Rand) image.Image { return camera(rotate(g(c), 180)) }, 1},
		{"perspective", func(c image.Image, _ *rand.Rand) image.Image { return camera(keystone(g(c), 0.4)) }, 1},
		{"half-size", func(c image.Image, _ *rand.Rand) image.Image { return camera(scale(g(c), 0.5)) }, 1},
		{"dim", func(c image.Image, _ *rand.Rand) image.Image { return camera(dim(g(c), 90, 140)) }, 1},
		{"dim-noisy", func(c image.Image, rng *rand.Rand) image.Image { return noise(camera(dim(g(c), 90, 150)), 12, rng) }, 5},
		{"inverted", func(c image.Image, _ *rand.Rand) image.Image { return onCanvas(invert(g(c)), 640, 480, 40) }, 1},
		{"phone-photo", func(c image.Image, rng *rand.Rand) image.Image {
			return noise(camera(blur(dim(rotate(scale(g(c), 0.75), 7), 60, 200), 1)), 10, rng)
		}, 5},
		{"covered", func(c image.Image, _ *rand.Rand) image.Image { return camera(cover(g(c), 0.45)) }, 0},
		{"too-far", func(c image.Image, _ *rand.Rand) image.Image { return camera(blur(scale(g(c), 0.5), 1)) }, 0},
		{"far-too-blurred", func(c image.Image, _ *rand.Rand) image.Image { return camera(blur(g(c), 6)) }, 0},
	}
}

// framesToRead feeds the scanner frames of d until it reads the code, and
// returns how many it decoded, or 0 and the last hint after limit frames.
func framesToRead(t testing.TB, want offline.Kind, code image.Image, d distortion, limit int, seed uint64) (int, Status) {
	s := NewScanner(want, -1)
	rng := rand.New(rand.NewPCG(1, seed))
	var last Status
	for range limit {
		last = s.Frame(d.frame(code, rng))
		if last.Done {
			return s.Decoded(), last
		}
	}
	return 0, last
}

func TestScannerUnderDistortions(t *testing.T) {
	code := qrImage(t, compactOffer, 4)
	want, err := offline.Decode(compactOffer)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range distortions() {
		t.Run(d.name, func(t *testing.T) {
			limit := max(d.within, 3)
			n, st := framesToRead(t, offline.Offer, code, d, limit, 2)
			switch {
			case d.within > 0 && n == 0:
				t.Fatalf("not read in %d frames (hint %q)", limit, st.Hint)
			case d.within > 0 && st.Signal.SDP != want.SDP:
				t.Fatalf("read another signal")
			case d.within == 0 && n > 0:
				t.Fatalf("read a code that should be unreadable")
			case d.within > 0:
				t.Logf("read in %d frames", n)
			}
		})
	}
}

func TestDecodeTellsUnreadableFromNone(t *testing.T) {
	code := toGray(qrImage(t, compactOffer, 4))
	if _, err := Decode(onCanvas(code, 10, 10, 255)); !errors.Is(err, ErrNoCode) || !errors.Is(err, offline.ErrEmpty) {
		t.Errorf("blank picture: %v, want ErrNoCode matching offline.ErrEmpty", err)
	}
	// Damage that keeps the finder patterns: the code is located, and
	// the hint says what to change.
	_, err := Decode(camera(cover(code, 0.45)))
	var u *UnreadableError
	if !errors.As(err, &u) || u.Hint == HintNone || u.Hint.String() == "" {
		t.Fatalf("covered code: %v, want an *UnreadableError with a hint", err)
	}
	if !errors.Is(err, ErrUnreadable) || !errors.Is(err, offline.ErrCorrupt) {
		t.Errorf("%v does not match ErrUnreadable and offline.ErrCorrupt", err)
	}

	// A code too far away: its finder patterns are found, with modules
	// too small to read, and they say where it is.
	far := camera(blur(scale(code, 0.5), 1))
	if _, err := Decode(far); !errors.As(err, &u) || u.Hint != HintTooFar {
		t.Fatalf("far code: %v, want HintTooFar", err)
	}
	if len(u.Outline) != 3 {
		t.Fatalf("far code: outline %v, want its three finder patterns", u.Outline)
	}
	// The code is 164 pixels wide, centred in the frame.
	for _, p := range u.Outline {
		if !p.In(image.Rect(320-82, 240-82, 320+82, 240+82)) {
			t.Errorf("finder pattern at %v, outside the code", p)
		}
	}
}

func TestDecodeImageTypes(t *testing.T) {
	code := qrImage(t, compactOffer, 3)
	gray := camera(toGray(code))
	ycbcr := image.NewYCbCr(gray.Bounds(), image.YCbCrSubsampleRatio420)
	copy(ycbcr.Y, gray.Pix)
	for i := range ycbcr.Cb {
		ycbcr.Cb[i], ycbcr.Cr[i] = 128, 128
	}
	rgba := image.NewRGBA(gray.Bounds())
	for i, v := range gray.Pix {
		copy(rgba.Pix[4*i:], []byte{v, v, v, 255})
	}
	sub := ycbcr.SubImage(image.Rect(100, 100, 540, 400))
	for name, img := range map[string]image.Image{"gray": gray, "ycbcr": ycbcr, "rgba": rgba, "paletted png": code, "sub-image": sub} {
		sym, err := Decode(img)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if sym.Text != offline.QRText(compactOffer) {
			t.Errorf("%s: read %q", name, sym.Text)
		}
		if len(sym.Outline) < 3 {
			t.Errorf("%s: outline %v, want the finder patterns", name, sym.Outline)
		}
		for _, p := range sym.Outline {
			if !p.In(img.Bounds()) {
				t.Errorf("%s: outline point %v outside %v", name, p, img.Bounds())
			}
		}
	}
}

func TestScannerHints(t *testing.T) {
	answer := fullCode(t, offline.Answer, 200)
	tests := []struct {
		name string
		img  image.Image
		hint string
	}{
		{"the other kind", camera(qrImage(t, answer, 3)), "this QR code holds an answer, not an offer: show the one the peer's `pigeon call` shows"},
		{"not a pigeon code", camera(qrImage(t, "https://example.com/", 4)), "not a pigeon code"},
		{"unreadable", camera(cover(qrImage(t, compactOffer, 4), 0.45)), "partly covered"},
		{"too far", camera(blur(scale(qrImage(t, compactOffer, 4), 0.5), 1)), "too small to read: bring it closer"},
		{"nothing", onCanvas(image.NewGray(image.Rect(0, 0, 1, 1)), 320, 240, 128), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := NewScanner(offline.Offer, -1).Frame(tt.img)
			if st.Done {
				t.Fatal("done")
			}
			if tt.hint == "" && st.Hint != "" || !strings.Contains(st.Hint, tt.hint) {
				t.Errorf("hint %q, want one with %q", st.Hint, tt.hint)
			}
		})
	}
}

func TestScannerBoundsItsRate(t *testing.T) {
	clock := time.Unix(0, 0)
	s := NewScanner(offline.Offer, 100*time.Millisecond)
	s.now = func() time.Time { return clock }
	blank := image.NewGray(image.Rect(0, 0, 64, 64))
	decoded := 0
	for range 30 { // a second at 30 frames a second
		if !s.Frame(blank).Skipped {
			decoded++
		}
		clock = clock.Add(time.Second / 30)
	}
	// A frame every 33 ms is decoded once at least 100 ms passed: every
	// fourth frame.
	if decoded != 8 || s.Decoded() != 8 {
		t.Errorf("decoded %d (Decoded %d) of 30 frames in a second, want 8", decoded, s.Decoded())
	}
}

func TestSplitAndAssembleOutOfOrder(t *testing.T) {
	code := fullCode(t, offline.Offer, 1200)
	parts := Split(code, 300)
	if len(parts) < 3 {
		t.Fatalf("%d parts of a %d-character code", len(parts), len(code))
	}
	for i, p := range parts {
		if _, v := offline.Measure(p); v == 0 || v > 10 {
			t.Errorf("part %d makes a version %d QR code", i+1, v)
		}
	}
	order := rand.New(rand.NewPCG(3, 4)).Perm(len(parts))
	var a Assembler
	var whole string
	for i, j := range order {
		got, done := a.Add(parts[j])
		// A part seen twice, as a cycle shows them, changes nothing.
		if again, d := a.Add(parts[j]); !done && d || again != "" && !done {
			t.Fatalf("part %d read twice: done", j+1)
		}
		if done != (i == len(parts)-1) {
			t.Fatalf("after %d parts: done %v", i+1, done)
		}
		whole = got
	}
	sig, err := offline.Decode(whole)
	if err != nil || sig.Kind != offline.Offer {
		t.Fatalf("reassembled code: %v, %v", sig.Kind, err)
	}
	want, _ := offline.Decode(code)
	if sig.SDP != want.SDP {
		t.Error("reassembled another SDP")
	}

	// A short code is one QR code, with no header.
	if got := Split(compactOffer, 300); !slices.Equal(got, []string{offline.QRText(compactOffer)}) {
		t.Errorf("Split(compact) = %q", got)
	}
}

func TestAssemblerStartsOverForAnotherCode(t *testing.T) {
	first := Split(fullCode(t, offline.Offer, 1000), 300)
	second := Split(fullCode(t, offline.Offer, 1001), 300)
	var a Assembler
	a.Add(first[0])
	a.Add(first[1])
	// The peer now shows a new code: its first part replaces the old one.
	if _, done := a.Add(second[0]); done {
		t.Fatal("done")
	}
	if have, _ := a.Progress(); have != 1 {
		t.Fatalf("have %d parts after a new code began, want 1", have)
	}
	var whole string
	for _, p := range second[1:] {
		whole, _ = a.Add(p)
	}
	if whole != strings.Join(trimHeaders(t, second), "") {
		t.Error("did not reassemble the second code")
	}
}

func trimHeaders(t *testing.T, parts []string) []string {
	var bodies []string
	for _, p := range parts {
		part, err := ParsePart(p)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, part.Body)
	}
	return bodies
}

func TestParsePart(t *testing.T) {
	tests := []struct {
		text string
		want Part
		ok   bool
	}{
		{"P1/3:ABC", Part{1, 3, "ABC"}, true},
		{"P16/16:x", Part{16, 16, "x"}, true},
		{"P3/3:A:B", Part{3, 3, "A:B"}, true},
		{"P0/3:ABC", Part{}, false},
		{"P4/3:ABC", Part{}, false},
		{"P1/1:ABC", Part{}, false},
		{"P1/17:ABC", Part{}, false},
		{"P01/3:ABC", Part{}, false},
		{"P+1/3:ABC", Part{}, false},
		{"P1/3:", Part{}, false},
		{"P1-3:ABC", Part{}, false},
		{"PG2O.ABC", Part{}, false},
		{"pg2o.abc", Part{}, false},
	}
	for _, tt := range tests {
		got, err := ParsePart(tt.text)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePart(%q) = %+v, %v", tt.text, got, err)
		}
	}
}

func FuzzParsePart(f *testing.F) {
	for _, s := range []string{"P1/3:ABC", "P16/16:x", "P1/1:", "P9/99:", "PG2O.", compactOffer} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := ParsePart(text)
		if err != nil {
			// Not a part: the assembler passes it on whole.
			var a Assembler
			if got, done := a.Add(text); !done || got != text {
				t.Fatalf("Add(%q) = %q, %v", text, got, done)
			}
			return
		}
		if p.Index < 1 || p.Index > p.Count || p.Count < 2 || p.Count > MaxParts || p.Body == "" {
			t.Fatalf("ParsePart(%q) = %+v", text, p)
		}
		// The header is canonical: writing it again gives the text back.
		if header := fmt.Sprintf("P%d/%d:", p.Index, p.Count); header+p.Body != text {
			t.Fatalf("ParsePart(%q) = %+v, not canonical", text, p)
		}
	})
}

func TestScanMultiPartFromVideo(t *testing.T) {
	code := fullCode(t, offline.Answer, 1400)
	parts := Split(code, DefaultPartSize)
	frames := make([]image.Image, len(parts))
	for i, p := range parts {
		frames[i] = noise(onCanvas(qrImage(t, p, 3), 640, 480, 220), 8, rand.New(rand.NewPCG(uint64(i), 0)))
	}
	// The peer's screen cycles through the parts, each shown for four
	// frames, and the camera joins the cycle in its middle.
	n := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		n++
		return frames[(n/4+len(frames)/2)%len(frames)], func() {}, nil
	})
	s := NewScanner(offline.Answer, -1)
	var seen []Status
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sig, err := Scan(ctx, src, s, func(_ image.Image, st Status) { seen = append(seen, st) })
	if err != nil {
		t.Fatal(err)
	}
	want, _ := offline.Decode(code)
	if sig.Kind != offline.Answer || sig.SDP != want.SDP {
		t.Fatal("read another signal")
	}
	if limit := 4*len(parts) + 1; n > limit {
		t.Errorf("%d frames to read %d parts, want at most %d", n, len(parts), limit)
	}
	if mid := seen[len(seen)/2]; mid.Count != len(parts) || mid.Have == 0 || mid.Symbol == nil {
		t.Errorf("progress in the middle: %+v", mid)
	}
}

func TestScanStops(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 32, 32))
	ctx, cancel := context.WithCancel(context.Background())
	src := video.ReaderFunc(func() (image.Image, func(), error) { cancel(); return blank, nil, nil })
	if _, err := Scan(ctx, src, NewScanner(offline.Offer, 0), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	boom := errors.New("unplugged")
	src = video.ReaderFunc(func() (image.Image, func(), error) { return nil, nil, boom })
	if _, err := Scan(context.Background(), src, NewScanner(offline.Offer, 0), nil); !errors.Is(err, boom) {
		t.Errorf("failing camera: %v", err)
	}
}

func TestScanFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, img image.Image) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if strings.HasSuffix(name, ".jpg") {
			err = jpeg.Encode(f, img, &jpeg.Options{Quality: 60})
		} else {
			err = pngEncode(f, img)
		}
		if err != nil {
			t.Fatal(err)
		}
		return path
	}
	full := fullCode(t, offline.Offer, 1000)
	parts := Split(full, 400)
	side := image.NewGray(image.Rect(0, 0, 1600, 600))
	for i := range side.Pix {
		side.Pix[i] = 255
	}
	for i, p := range parts {
		pi := qrImage(t, p, 3)
		drawAt(side, pi, image.Pt(20+i*530, 20))
	}
	tests := []struct {
		name string
		path string
		want offline.Kind
		err  error
	}{
		{"png", write("offer.png", camera(qrImage(t, compactOffer, 4))), offline.Offer, nil},
		{"jpeg photo", write("offer.jpg", noise(camera(rotate(qrImage(t, compactOffer, 4), 12)), 6, rand.New(rand.NewPCG(5, 6)))), offline.Offer, nil},
		{"all parts side by side", write("parts.png", side), offline.Offer, nil},
		{"one part", write("part.png", camera(qrImage(t, parts[0], 3))), offline.Offer, ErrIncomplete},
		{"wrong kind", write("offer2.png", camera(qrImage(t, compactOffer, 4))), offline.Answer, offline.ErrWrongKind},
		{"no code", write("blank.png", image.NewGray(image.Rect(0, 0, 50, 50))), offline.Offer, ErrNoCode},
		{"not a picture", filepath.Join(dir, "missing.png"), offline.Offer, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := ScanFile(tt.path, tt.want)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && sig.Kind != tt.want {
				t.Fatalf("kind %v", sig.Kind)
			}
		})
	}
	if err := os.WriteFile(filepath.Join(dir, "text.png"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ScanFile(filepath.Join(dir, "text.png"), offline.Offer); err == nil || !strings.Contains(err.Error(), "PNG or JPEG") {
		t.Errorf("a text file: %v", err)
	}
}

// BenchmarkDistortions measures, for each distortion a camera adds to a
// code on a screen, how many frames the scanner decodes before it reads the
// code: frames/read, the mean over the tries that read it (each try with
// fresh noise), and read-%, the share of tries that read it within twice
// the frames the test allows. The distortions a scanner cannot read (a
// covered code, one too far or far too blurred) read none: read-% 0 and no
// frames/read. Run it with go test -run '^$' -bench Distortions ./scan/.
func BenchmarkDistortions(b *testing.B) {
	code := qrImage(b, compactOffer, 4)
	for _, d := range distortions() {
		b.Run(d.name, func(b *testing.B) {
			frames, reads, tries := 0, 0, 0
			for b.Loop() {
				tries++
				n, _ := framesToRead(b, offline.Offer, code, d, max(d.within, 3)*2, uint64(tries))
				if n > 0 {
					frames += n
					reads++
				}
			}
			if reads > 0 {
				b.ReportMetric(float64(frames)/float64(reads), "frames/read")
			}
			b.ReportMetric(100*float64(reads)/float64(tries), "read-%")
		})
	}
}

func TestCornersFrameTheCode(t *testing.T) {
	code := qrImage(t, compactOffer, 4)
	frame := camera(rotate(code, 20))
	sym, err := Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	corners := Corners(sym.Outline)
	if len(corners) != 4 {
		t.Fatalf("corners %v", corners)
	}
	// Each corner lies near the rotated code's edge: outside its finder
	// patterns, inside the picture of it with its quiet zone.
	side := code.Bounds().Dx()
	centre := image.Pt(320, 240)
	for _, c := range corners {
		d := c.Sub(centre)
		r := math.Hypot(float64(d.X), float64(d.Y))
		// From the centre, the code's corner (quiet zone left out) is at
		// (side/2-16)·√2, its finder patterns' centres 14 pixels nearer
		// each way.
		if inner, outer := (float64(side)/2-16-14)*math.Sqrt2, float64(side)/2*math.Sqrt2; r < inner || r > outer {
			t.Errorf("corner %v is %.0f pixels from the centre, want %.0f to %.0f", c, r, inner, outer)
		}
	}
	if Corners(sym.Outline[:2]) != nil {
		t.Error("corners from two points")
	}
}

// TestQuarterTurnedGoesBack checks that a point of the turned picture the
// last attempt decodes is taken back to the same pixel of the picture.
func TestQuarterTurnedGoesBack(t *testing.T) {
	b := image.Rect(10, 20, 10+64, 20+48)
	grey := make([]byte, b.Dx()*b.Dy())
	for i := range grey {
		grey[i] = byte(i * 7)
	}
	src, err := quarterTurned(grey, b)
	if err != nil {
		t.Fatal(err)
	}
	if src.GetWidth() != b.Dy() || src.GetHeight() != b.Dx() {
		t.Fatalf("turned %dx%d, want %dx%d", src.GetWidth(), src.GetHeight(), b.Dy(), b.Dx())
	}
	back := attempt{turned: true}.back(b)
	for y := range src.GetHeight() {
		row, err := src.GetRow(y, nil)
		if err != nil {
			t.Fatal(err)
		}
		for x, v := range row {
			p := back(float64(x), float64(y)).Sub(b.Min)
			if want := grey[p.Y*b.Dx()+p.X]; v != want {
				t.Fatalf("turned (%d,%d) holds %d, but goes back to (%d,%d), which holds %d", x, y, v, p.X, p.Y, want)
			}
		}
	}
}
