package scan

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"testing"

	"github.com/pigeon-call/pigeon/offline"
)

// FuzzScanPicture: any bytes given as a picture (--scan-image) are decoded,
// or refused with an error; never a panic, and never a picture larger than
// MaxPixels.
func FuzzScanPicture(f *testing.F) {
	var b bytes.Buffer
	offline.WriteQRPNG(&b, compactOffer, 2)
	f.Add(b.Bytes())
	b.Reset()
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 2)))
	f.Add(b.Bytes())
	f.Add([]byte("\xff\xd8\xff\xe0 not quite a JPEG"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := ReadImage(bytes.NewReader(data))
		if err != nil {
			return
		}
		if b := img.Bounds(); b.Dx()*b.Dy() > MaxPixels {
			t.Fatalf("decoded a picture of %v", b)
		}
		if b := img.Bounds(); b.Dx()*b.Dy() > 1<<20 {
			return // decoding it would take the fuzzer's time, not find more
		}
		ScanImage(img, offline.Offer)
	})
}

func TestReadImageRefusesHugePictures(t *testing.T) {
	// A PNG header that claims 100000×100000 pixels: a few bytes that would
	// take 10 GB to decode.
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	data := b.Bytes()
	// IHDR's width and height follow the 8-byte signature, the chunk's
	// length and its type; its CRC covers the type and the 13 bytes of data.
	copy(data[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(data[29:33], crc32.ChecksumIEEE(data[12:29]))
	if _, err := ReadImage(bytes.NewReader(data)); err == nil || !bytes.Contains([]byte(err.Error()), []byte("too large")) {
		t.Errorf("a 10-gigapixel picture: %v", err)
	}
}
