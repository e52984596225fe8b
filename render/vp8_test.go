package render

import (
	"image"
	"io"
	"testing"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// frameList hands out its frames one by one, then io.EOF.
type frameList [][]byte

func (l *frameList) NextFrame() ([]byte, error) {
	if len(*l) == 0 {
		return nil, io.EOF
	}
	f := (*l)[0]
	*l = (*l)[1:]
	return f, nil
}

// FuzzVP8Decoder feeds the decoder what a peer may send as VP8 frames:
// it must refuse or decode each, and a picture it makes must be as large
// as its planes say, never a panic or a read outside libvpx's memory.
func FuzzVP8Decoder(f *testing.F) {
	src := capture.NewTestVideo(64, 48, 1000)
	frames, err := mediatest.EncodeVP8(src, 64, 48, 3)
	src.Close()
	if err != nil {
		f.Fatal(err)
	}
	for _, fr := range frames {
		f.Add(fr, []byte(nil))
	}
	f.Add(frames[0], frames[1][:len(frames[1])/2])
	f.Add([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0xff, 0x3f, 0xff, 0x3f}, []byte(nil)) // 16383x16383
	f.Fuzz(func(t *testing.T, first, second []byte) {
		in := frameList{first, second}
		d, err := newVP8Decoder(&in)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		for {
			img, _, err := d.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				continue // refused: the next frame
			}
			ycc := img.(*image.YCbCr)
			w, h := ycc.Rect.Dx(), ycc.Rect.Dy()
			if w <= 0 || h <= 0 || ycc.YStride < w || len(ycc.Y) < ycc.YStride*(h-1)+w ||
				len(ycc.Cb) < ycc.CStride*((h+1)/2-1)+(w+1)/2 {
				t.Fatalf("a %dx%d picture with strides %d, %d and planes of %d and %d bytes", w, h, ycc.YStride, ycc.CStride, len(ycc.Y), len(ycc.Cb))
			}
			_ = ycc.Y[len(ycc.Y)-1] + ycc.Cb[len(ycc.Cb)-1] + ycc.Cr[len(ycc.Cr)-1]
		}
	})
}

// TestVP8DecoderRefusesHugePictures: a keyframe that announces a picture
// past maxVP8Pixels is refused before libvpx makes room for it; the
// pictures before and after it decode.
func TestVP8DecoderRefusesHugePictures(t *testing.T) {
	src := capture.NewTestVideo(64, 48, 1000)
	frames, err := mediatest.EncodeVP8(src, 64, 48, 1)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	huge := append([]byte(nil), frames[0]...)
	huge[6], huge[7], huge[8], huge[9] = 0xff, 0x3f, 0xff, 0x3f // 16383x16383
	in := frameList{frames[0], huge, frames[0]}
	d, err := newVP8Decoder(&in)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i, wantErr := range []bool{false, true, false} {
		img, _, err := d.Read()
		if (err != nil) != wantErr {
			t.Fatalf("frame %d: %v, want an error: %v", i, err, wantErr)
		}
		if err == nil && img.Bounds().Size() != image.Pt(64, 48) {
			t.Errorf("frame %d decodes at %v", i, img.Bounds())
		}
	}
}
