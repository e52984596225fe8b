package capture

import (
	"image"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// TestVP8EncoderPictures: what pigeon's VP8 encoder makes decodes (with
// mediadevices' decoder) into the pictures it was given, stamps readable;
// it starts with a keyframe, makes one when asked, and starts again with
// one at a new size.
func TestVP8EncoderPictures(t *testing.T) {
	src := NewTestVideo(320, 240, 1000)
	defer src.Close()
	var size image.Point
	sized := video.ReaderFunc(func() (image.Image, func(), error) {
		img, release, err := src.Read()
		if err == nil && size != (image.Point{}) {
			img = fitted(img.(*image.YCbCr), size)
		}
		return img, release, err
	})
	params := vp8Params{BitRate: 500_000}
	enc, err := params.BuildVideoEncoder(sized, prop.Media{Video: prop.Video{Width: 320, Height: 240}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	frames := make(chan []byte, 64)
	dec, err := vpx.NewDecoder(mediatest.FrameReader(frames), prop.Media{})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	keys := enc.Controller().(codec.KeyFrameController)
	for i := range 24 {
		switch i {
		case 10:
			keys.ForceKeyFrame()
		case 16:
			size = image.Pt(160, 120)
		}
		frame, _, err := enc.Read()
		if err != nil {
			t.Fatal(err)
		}
		if key, want := isVP8KeyFrame(frame), i == 0 || i == 10 || i == 16; key != want {
			t.Errorf("picture %d: keyframe %v, want %v", i, key, want)
		}
		frames <- frame
		img, _, err := dec.Read()
		if err != nil {
			t.Fatalf("picture %d does not decode: %v", i, err)
		}
		want := image.Pt(320, 240)
		if i >= 16 {
			want = size
		}
		if got := img.Bounds().Size(); got != want {
			t.Errorf("picture %d decodes at %v, want %v", i, got, want)
		}
		if i < 16 {
			if _, ok := ReadStamp(img.(*image.YCbCr), time.Now()); !ok {
				t.Errorf("picture %d: no stamp read after VP8", i)
			}
		}
	}
}

// fitted returns the top left of img, of size.
func fitted(img *image.YCbCr, size image.Point) *image.YCbCr {
	return img.SubImage(image.Rectangle{Max: size}).(*image.YCbCr)
}

// TestVP8EncoderFollowsTheBitRate: on the natural clip, a second at
// 1 Mbit/s and then one at 200 kbit/s come out near those rates.
func TestVP8EncoderFollowsTheBitRate(t *testing.T) {
	src, err := OpenFileVideo(mediatest.NaturalVideo(t, "clip.y4m", 320, 240, 30, 2*time.Second), 320, 240)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	params := vp8Params{BitRate: 1_000_000}
	enc, err := params.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: 320, Height: 240}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	// The rate over the pictures of a second, by the clock: the encoder
	// times them so, and a busy machine may hand them out late.
	second := func() float64 {
		var bytes int
		start := time.Now()
		for range 30 {
			frame, _, err := enc.Read()
			if err != nil {
				t.Fatal(err)
			}
			bytes += len(frame)
		}
		return float64(bytes*8) / 1e3 / time.Since(start).Seconds()
	}
	second() // the first keyframe, and the rate control settling
	high := second()
	enc.Controller().(codec.BitRateController).SetBitRate(200_000)
	second()
	low := second()
	t.Logf("%.0f kbit/s at 1 Mbit/s, %.0f at 200 kbit/s", high, low)
	if high < 500 || high > 1500 || low < 100 || low > 400 {
		t.Errorf("%.0f kbit/s at 1 Mbit/s and %.0f at 200 kbit/s: the rate control does not follow", high, low)
	}
}
