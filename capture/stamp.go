package capture

import (
	"image"
	"time"
)

// The test picture carries the time it was made, so that the far side can
// tell how long a picture took from capture to display (glass to glass):
// a row of stampBits black or white blocks along the top, the low bits of
// the capture time in milliseconds, wide enough to come through VP8 intact.
const (
	stampBits   = 32
	stampHeight = 16
)

// drawStamp writes t into the top rows of img.
func drawStamp(img *image.YCbCr, t time.Time) {
	ms := uint32(t.UnixMilli())
	w := img.Rect.Dx() / stampBits
	for bit := range stampBits {
		luma := uint8(16)
		if ms>>(stampBits-1-bit)&1 == 1 {
			luma = 235
		}
		for y := range min(stampHeight, img.Rect.Dy()) {
			for x := bit * w; x < (bit+1)*w; x++ {
				img.Y[img.YOffset(x, y)] = luma
				ci := img.COffset(x, y)
				img.Cb[ci], img.Cr[ci] = 128, 128
			}
		}
	}
}

// ReadStamp returns when a test picture was captured, read from its stamp,
// and whether the picture holds one. now resolves the stamp's wrap-around
// (about every 49 days): the capture time is the latest one before now
// that matches.
func ReadStamp(img *image.YCbCr, now time.Time) (time.Time, bool) {
	w := img.Rect.Dx() / stampBits
	if w < 2 || img.Rect.Dy() < stampHeight {
		return time.Time{}, false
	}
	var ms uint32
	for bit := range stampBits {
		// Sample the middle of each block, away from the edges that
		// compression blurs.
		y := img.Rect.Min.Y + stampHeight/2
		x := img.Rect.Min.X + bit*w + w/2
		v := img.Y[img.YOffset(x, y)]
		switch {
		case v > 180:
			ms |= 1 << (stampBits - 1 - bit)
		case v < 70:
		default:
			return time.Time{}, false // neither black nor white: no stamp
		}
	}
	delta := uint32(now.UnixMilli()) - ms // modulo 2^32
	at := now.Add(-time.Duration(delta) * time.Millisecond)
	if delta > uint32(time.Hour/time.Millisecond) {
		return time.Time{}, false // no picture takes an hour: not a stamp
	}
	return at, true
}
