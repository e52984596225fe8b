package capture

import "testing"

// BenchmarkFitPicture fits a 1280x720 picture of a video file into the
// call's 640x480 frame: the work a file source does for each picture.
func BenchmarkFitPicture(b *testing.B) {
	src := &planar{w: 1280, h: 720, sx: 2, sy: 2, ys: 1280, cs: 640}
	src.y, src.cb, src.cr = make([]byte, 1280*720), make([]byte, 640*360), make([]byte, 640*360)
	for i := range src.y {
		src.y[i] = byte(i * 7)
	}
	fit := newFitter(640, 480)
	for b.Loop() {
		fit.draw(src)
	}
}

// BenchmarkResample converts 20 ms of espeak-ng's 22.05 kHz to 48 kHz,
// as a file source does for each chunk it sends.
func BenchmarkResample(b *testing.B) {
	r := newResampler(22050, 48000)
	in := make([]float32, 441)
	for i := range in {
		in[i] = float32(i%100) / 100
	}
	out := make([]float32, 960)
	for b.Loop() {
		n := 0
		for n < len(out) {
			if got := r.pull(out[n:]); got > 0 {
				n += got
				continue
			}
			r.push(in)
		}
	}
}
