package capture

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// The file decoders read what a user hands pigeon: whatever the bytes, they
// return pictures, sound or an error, and never panic or hang.

func FuzzY4M(f *testing.F) {
	f.Add(y4mBytes("W4 H2 F25:1 C420jpeg", 4, 2, 2, 2, 2))
	f.Add(y4mBytes("W3 H3 F30000:1001 Ip A1:1 C444 XYSCSS=444", 3, 3, 1, 1, 1))
	f.Add(y4mBytes("W5 H1 C422", 5, 1, 2, 1, 1))
	f.Add(y4mBytes("W2 H2 Cmono", 2, 2, 0, 0, 3))
	f.Add([]byte("YUV4MPEG2 W640 H480 F30:1\nFRAME\n"))
	f.Add([]byte("YUV4MPEG2 W16384 H16384\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := newY4M(bytes.NewReader(data))
		if err != nil {
			return
		}
		fit := newFitter(8, 6)
		for range 5 { // enough to go round a short file
			p, err := y.next()
			if err != nil {
				return
			}
			fit.draw(p)
		}
	})
}

func FuzzIVF(f *testing.F) {
	f.Add(ivfBytes("VP80", 30, 1, [][]byte{vp8KeyFrameHead(), {1, 2, 3}}))
	f.Add(ivfBytes("VP90", 1000, 1, [][]byte{{0}}))
	f.Add(ivfBytes("VP80", 0, 0, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := newIVF(bytes.NewReader(data))
		if err != nil {
			return
		}
		for range 5 {
			frame, err := v.next()
			if err != nil {
				return
			}
			isVP8KeyFrame(frame.data)
		}
	})
}

func FuzzWAV(f *testing.F) {
	for _, c := range wavCases {
		f.Add(wavBytes(c.format, c.tag, c.bits, sine(c.format, 400, 0.5, 64)))
	}
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := newWAV(bytes.NewReader(data))
		if err != nil {
			return
		}
		res := newResampler(w.format.rate, fileAudioRate)
		buf := make([]float32, 100)
		for range 5 {
			if err := w.read(buf); err != nil {
				return
			}
			res.push(buf)
			res.pull(make([]float32, 300))
		}
	})
}

// y4mBytes is a Y4M file of frames pictures w x h, chroma subsampled by
// sx and sy (0 for none), each picture's samples all its number.
func y4mBytes(params string, w, h, sx, sy, frames int) []byte {
	var b bytes.Buffer
	b.WriteString("YUV4MPEG2 " + params + "\n")
	size := w * h
	if sx > 0 {
		size += 2 * ((w + sx - 1) / sx) * ((h + sy - 1) / sy)
	}
	for i := range frames {
		b.WriteString("FRAME\n")
		b.Write(bytes.Repeat([]byte{byte(16 + 40*i)}, size))
	}
	return b.Bytes()
}

// ivfBytes is an IVF file of frames, one per time unit of num/den s.
func ivfBytes(fourCC string, den, num uint32, frames [][]byte) []byte {
	h := make([]byte, ivfHeaderSize)
	copy(h, ivfMagic)
	binary.LittleEndian.PutUint16(h[6:], ivfHeaderSize)
	copy(h[8:], fourCC)
	binary.LittleEndian.PutUint16(h[12:], 64)
	binary.LittleEndian.PutUint16(h[14:], 48)
	binary.LittleEndian.PutUint32(h[16:], den)
	binary.LittleEndian.PutUint32(h[20:], num)
	binary.LittleEndian.PutUint32(h[24:], uint32(len(frames)))
	for i, f := range frames {
		fh := make([]byte, ivfFrameHeader)
		binary.LittleEndian.PutUint32(fh, uint32(len(f)))
		binary.LittleEndian.PutUint64(fh[4:], uint64(i))
		h = append(append(h, fh...), f...)
	}
	return h
}

// vp8KeyFrameHead is the start of a VP8 keyframe of 64x48, and no more.
func vp8KeyFrameHead() []byte {
	return []byte{0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 64, 0, 48, 0, 0, 0}
}
