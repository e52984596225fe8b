package picture

import (
	"image"
	"image/color"
	"testing"
)

func TestRGB(t *testing.T) {
	tests := []struct {
		name      string
		y, cb, cr uint8
		want      [3]uint8
	}{
		{"black", 16, 128, 128, [3]uint8{0, 0, 0}},
		{"white", 235, 128, 128, [3]uint8{255, 255, 255}},
		{"below black clamps", 0, 128, 128, [3]uint8{0, 0, 0}},
		{"75% white bar", 180, 128, 128, [3]uint8{191, 191, 191}},
		{"75% red bar", 65, 100, 212, [3]uint8{191, 0, 0}},
		{"75% blue bar", 35, 212, 114, [3]uint8{0, 0, 191}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, g, b := RGB(tt.y, tt.cb, tt.cr)
			got := [3]uint8{r, g, b}
			for i := range got {
				if d := int(got[i]) - int(tt.want[i]); d > 1 || d < -1 {
					t.Fatalf("RGB(%d, %d, %d) = %v, want %v", tt.y, tt.cb, tt.cr, got, tt.want)
				}
			}
		})
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		w, h int
		box  image.Rectangle
		want image.Rectangle
	}{
		{640, 480, image.Rect(0, 0, 640, 480), image.Rect(0, 0, 640, 480)},
		{640, 480, image.Rect(0, 0, 80, 38), image.Rect(15, 0, 65, 38)},     // pillarbox
		{640, 360, image.Rect(0, 0, 640, 480), image.Rect(0, 60, 640, 420)}, // letterbox
		{640, 480, image.Rect(10, 10, 50, 40), image.Rect(10, 10, 50, 40)},
		{0, 480, image.Rect(0, 0, 10, 10), image.Rectangle{}},
	}
	for _, tt := range tests {
		if got := Fit(tt.w, tt.h, tt.box); got != tt.want {
			t.Errorf("Fit(%d, %d, %v) = %v, want %v", tt.w, tt.h, tt.box, got, tt.want)
		}
	}
}

func TestScaleAverages(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for x := range 4 {
		for y := range 2 {
			v := uint8(0)
			if (x+y)%2 == 0 {
				v = 200
			}
			src.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, 2, 1))
	Scale(dst, dst.Rect, src)
	for x := range 2 {
		if c := dst.RGBAAt(x, 0); c.R != 100 {
			t.Errorf("pixel %d is %v, want the average 100", x, c)
		}
	}
}

func TestThumbnailAndCopyKeepTheirOwnPixels(t *testing.T) {
	src := image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420)
	for i := range src.Y {
		src.Y[i] = 235
	}
	for i := range src.Cb {
		src.Cb[i], src.Cr[i] = 128, 128
	}
	thumb := Thumbnail(src, 16, 16)
	if thumb.Rect.Dx() != 16 || thumb.Rect.Dy() != 12 {
		t.Errorf("thumbnail %v, want 16x12: the picture's aspect", thumb.Rect)
	}
	cp := Copy(src).(*image.YCbCr)
	clear(src.Y)
	if c := thumb.RGBAAt(8, 6); c.R != 255 {
		t.Errorf("thumbnail pixel %v, want white", c)
	}
	if cp.Y[100] != 235 {
		t.Error("the copy shares its pixels with the source")
	}
}

func BenchmarkScale(b *testing.B) {
	src := image.NewYCbCr(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
	dst := image.NewRGBA(image.Rect(0, 0, 160, 96))
	for b.Loop() {
		Scale(dst, dst.Rect, src)
	}
}

func TestHalfAveragesFourPixels(t *testing.T) {
	src := image.NewYCbCr(image.Rect(0, 0, 8, 6), image.YCbCrSubsampleRatio420)
	for y := range 6 {
		for x := range 8 {
			src.Y[src.YOffset(x, y)] = uint8(10*x + y)
			ci := src.COffset(x, y)
			src.Cb[ci], src.Cr[ci] = uint8(100+x/2), uint8(200-y/2)
		}
	}
	half := Half(src)
	if half.Rect != image.Rect(0, 0, 4, 3) || half.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Fatalf("half is %v %v, want 4x3 4:2:0", half.Rect, half.SubsampleRatio)
	}
	for y := range 3 {
		for x := range 4 {
			// The mean of 10*(2x)+2y, 10*(2x+1)+2y, and the row below: 20x+5+2y+0.5.
			want := uint8(20*x + 5 + 2*y + 1)
			if got := half.Y[half.YOffset(x, y)]; got != want {
				t.Errorf("Y at %d,%d is %d, want %d", x, y, got, want)
			}
		}
	}
	// A chroma sample of half covers two of src across and two down; the
	// last row of half has one row of src below it.
	if c := half.YCbCrAt(0, 0); c.Cb != 101 || c.Cr != 200 {
		t.Errorf("chroma at 0,0 is %d,%d, want 101,200", c.Cb, c.Cr)
	}
	if c := half.YCbCrAt(2, 2); c.Cb != 103 || c.Cr != 198 {
		t.Errorf("chroma at 2,2 is %d,%d, want 103,198", c.Cb, c.Cr)
	}
}

func TestPolygonAndMapPoint(t *testing.T) {
	dst := image.NewRGBA(image.Rect(0, 0, 20, 20))
	green := color.RGBA{0, 255, 0, 255}
	Polygon(dst, []image.Point{{2, 2}, {17, 2}, {17, 17}, {2, 17}}, green, 1)
	for _, p := range []image.Point{{2, 2}, {10, 2}, {17, 10}, {10, 17}, {2, 10}} {
		if dst.RGBAAt(p.X, p.Y) != green {
			t.Errorf("%v not on the outline", p)
		}
	}
	if dst.RGBAAt(10, 10) == green || dst.RGBAAt(0, 0) == green {
		t.Error("the outline is drawn inside or outside its edges")
	}
	// Thick lines past the edge are clipped, not a panic.
	Line(dst, image.Pt(-5, -5), image.Pt(30, 30), green, 3)
	if got := MapPoint(image.Pt(320, 240), image.Rect(0, 0, 640, 480), image.Rect(10, 0, 74, 48)); got != image.Pt(42, 24) {
		t.Errorf("MapPoint = %v", got)
	}
}

// TestCopyYCbCr copies pictures laid out as libvpx lays them (rows wider
// than the picture) and parts of pictures, and checks every sample; a
// second copy of the same size reuses the first's memory.
func TestCopyYCbCr(t *testing.T) {
	padded := func(w, h, pad int) *image.YCbCr {
		full := image.NewYCbCr(image.Rect(0, 0, w+pad, h+pad), image.YCbCrSubsampleRatio420)
		for i := range full.Y {
			full.Y[i] = uint8(i * 7)
		}
		for i := range full.Cb {
			full.Cb[i], full.Cr[i] = uint8(i*3), uint8(i*5+1)
		}
		img := *full
		img.Rect = image.Rect(0, 0, w, h)
		return &img
	}
	sub := padded(64, 48, 0).SubImage(image.Rect(4, 6, 34, 26)).(*image.YCbCr)
	for _, src := range []*image.YCbCr{padded(64, 48, 16), padded(63, 47, 9), sub} {
		dst := CopyYCbCr(nil, src)
		if dst.Rect.Size() != src.Rect.Size() || dst.Rect.Min != (image.Point{}) {
			t.Fatalf("copy of %v has bounds %v", src.Rect, dst.Rect)
		}
		for y := range src.Rect.Dy() {
			for x := range src.Rect.Dx() {
				if got, want := dst.YCbCrAt(x, y), src.YCbCrAt(src.Rect.Min.X+x, src.Rect.Min.Y+y); got != want {
					t.Fatalf("copy of %v at (%d, %d) = %v, want %v", src.Rect, x, y, got, want)
				}
			}
		}
		if again := CopyYCbCr(dst, src); &again.Y[0] != &dst.Y[0] {
			t.Errorf("a second copy of %v made a new picture", src.Rect)
		}
	}
}

func TestGrid(t *testing.T) {
	box := image.Rect(0, 0, 640, 480)
	tests := []struct {
		n    int
		box  image.Rectangle
		want []image.Rectangle
	}{
		{0, box, nil},
		{1, box, []image.Rectangle{box}},
		// Side by side or one above the other show 4:3 the same size in
		// 4:3: side by side.
		{2, box, []image.Rectangle{image.Rect(0, 0, 320, 480), image.Rect(320, 0, 640, 480)}},
		{3, box, []image.Rectangle{image.Rect(0, 0, 320, 240), image.Rect(320, 0, 640, 240), image.Rect(160, 240, 480, 480)}},
		{4, box, []image.Rectangle{image.Rect(0, 0, 320, 240), image.Rect(320, 0, 640, 240), image.Rect(0, 240, 320, 480), image.Rect(320, 240, 640, 480)}},
		// Two columns of three rows, or three of two, show 4:3 at 213x160:
		// the whole pixels favour two.
		{5, box, []image.Rectangle{image.Rect(0, 0, 320, 160), image.Rect(320, 0, 640, 160), image.Rect(0, 160, 320, 320),
			image.Rect(320, 160, 640, 320), image.Rect(160, 320, 480, 480)}},
		{5, image.Rect(0, 0, 960, 480), []image.Rectangle{image.Rect(0, 0, 320, 240), image.Rect(320, 0, 640, 240), image.Rect(640, 0, 960, 240),
			image.Rect(160, 240, 480, 480), image.Rect(480, 240, 800, 480)}},
		// A wide box: three in a row.
		{3, image.Rect(0, 0, 1920, 480), []image.Rectangle{image.Rect(0, 0, 640, 480), image.Rect(640, 0, 1280, 480), image.Rect(1280, 0, 1920, 480)}},
		// A tall one: one above the other.
		{2, image.Rect(10, 10, 330, 490), []image.Rectangle{image.Rect(10, 10, 330, 250), image.Rect(10, 250, 330, 490)}},
		{3, image.Rect(0, 0, 2, 2), nil},
	}
	for _, tt := range tests {
		got := Grid(tt.n, 4, 3, tt.box)
		if len(got) != len(tt.want) {
			t.Errorf("Grid(%d, %v) = %v, want %v", tt.n, tt.box, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Grid(%d, %v) = %v, want %v", tt.n, tt.box, got, tt.want)
				break
			}
		}
		for i, a := range got {
			for _, b := range got[i+1:] {
				if a.Overlaps(b) {
					t.Errorf("Grid(%d, %v): tiles %v and %v overlap", tt.n, tt.box, a, b)
				}
			}
			if !a.In(tt.box) {
				t.Errorf("Grid(%d, %v): tile %v is outside the box", tt.n, tt.box, a)
			}
		}
	}
}
