package capture

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/pigeon-call/pigeon/render/picture"
)

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	// Written beside and renamed, as a program replacing a picture should.
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// square is a w×h picture, black with a white left half.
func square(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w / 2 {
			img.SetGray(x, y, color.Gray{255})
		}
	}
	return img
}

func TestImageVideoShowsThePictureAndFollowsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "code.png")
	v := NewImageVideo(path, 64, 48, 1000)
	defer v.Close()
	luma := func(img image.Image, x, y int) uint8 {
		f := img.(*image.YCbCr)
		return f.Y[f.YOffset(x, y)]
	}

	// No file yet: grey.
	img, _, err := v.Read()
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 64, 48) {
		t.Fatalf("bounds %v", img.Bounds())
	}
	if got := luma(img, 32, 24); got != imageBackground {
		t.Fatalf("luma without a file %d, want the grey %d", got, imageBackground)
	}

	// A square picture is fitted to the height and centred: grey bars
	// left and right, white then black across the middle.
	writePNG(t, path, square(100, 100))
	v.lastLook = v.lastLook.Add(-reloadEvery)
	img, _, _ = v.Read()
	for _, c := range []struct {
		x    int
		want uint8
	}{{2, imageBackground}, {12, 235}, {50, 16}, {61, imageBackground}} {
		if got := luma(img, c.x, 24); got != c.want {
			t.Errorf("luma at x=%d: %d, want %d", c.x, got, c.want)
		}
	}

	// The file changes: within a bounded number of frames, so does the
	// picture (the file is looked at every reloadEvery).
	writePNG(t, path, image.NewGray(image.Rect(0, 0, 8, 6)))
	changed := false
	for range 1000 {
		img, _, _ = v.Read()
		if luma(img, 12, 24) == 16 {
			changed = true
			break
		}
	}
	if !changed {
		t.Fatal("the picture did not follow the file")
	}

	// A file that cannot be read keeps the last picture.
	if err := os.WriteFile(path, []byte("half a PNG"), 0o600); err != nil {
		t.Fatal(err)
	}
	v.lastLook = v.lastLook.Add(-reloadEvery)
	if img, _, _ = v.Read(); luma(img, 12, 24) != 16 {
		t.Error("an unreadable file replaced the picture")
	}
}

func TestOpenImageSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "code.png")
	writePNG(t, path, square(40, 30))
	m, err := Open(Options{Video: ImagePrefix + path, Audio: None})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Video() == nil || m.VideoLabel() != "the picture "+path {
		t.Fatalf("video %v, label %q", m.Video(), m.VideoLabel())
	}
	if _, err := Open(Options{Video: ImagePrefix}); err == nil {
		t.Error("image: with no path opened")
	}
}

func TestLimitedYCbCrInvertsTheViews(t *testing.T) {
	for _, c := range [][3]uint32{{0, 0, 0}, {255, 255, 255}, {255, 0, 0}, {0, 128, 255}, {90, 200, 30}} {
		y, cb, cr := limitedYCbCr(c[0], c[1], c[2])
		r, g, b := picture.RGB(y, cb, cr)
		for i, got := range []uint8{r, g, b} {
			if d := int(got) - int(c[i]); d < -3 || d > 3 {
				t.Errorf("%v comes back from the views as %d %d %d", c, r, g, b)
				break
			}
		}
	}
}
