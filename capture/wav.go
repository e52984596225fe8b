package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// WAV format tags (the fmt chunk's first field).
const (
	wavPCM        = 1
	wavFloat      = 3
	wavExtensible = 0xfffe
)

// Bounds of the WAV files pigeon plays.
const (
	wavMinRate     = 4000
	wavMaxRate     = 384000
	wavMaxChannels = 32
	wavMaxChunks   = 10000 // chunks looked through before the sound
)

// wavFormat is what a WAV file's fmt chunk says of its samples.
type wavFormat struct {
	channels   int
	rate       int
	sampleSize int // bytes per sample of one channel
	float      bool
}

// wavReader reads a WAV file's sound as mono samples, from the start
// again after the end.
type wavReader struct {
	r          io.ReadSeeker
	br         *bufio.Reader
	format     wavFormat
	dataStart  int64
	dataLen    int64 // whole sample frames only
	left       int64 // bytes of sound before the end
	frame      []byte
	loops      int
	framesRead int64
}

// newWAV reads the header of the WAV stream r, up to its sound.
func newWAV(r io.ReadSeeker) (*wavReader, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return nil, fmt.Errorf("reading the WAV header: %w", cutShort(err))
	}
	if string(riff[:4]) != "RIFF" || string(riff[8:]) != "WAVE" {
		return nil, errors.New("not a WAV file")
	}
	var (
		format *wavFormat
		at     = int64(12)
	)
	for range wavMaxChunks {
		var h [8]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return nil, fmt.Errorf("the WAV file ends before its sound (%v)", cutShort(err))
		}
		at += 8
		id, n := string(h[:4]), int64(binary.LittleEndian.Uint32(h[4:]))
		switch id {
		case "fmt ":
			if n < 16 || n > 1024 {
				return nil, fmt.Errorf("the WAV format chunk is %d bytes long", n)
			}
			buf := make([]byte, n)
			if _, err := io.ReadFull(r, buf); err != nil {
				return nil, fmt.Errorf("reading the WAV format: %w", cutShort(err))
			}
			f, err := parseWAVFormat(buf)
			if err != nil {
				return nil, err
			}
			format = &f
		case "data":
			if format == nil {
				return nil, errors.New("the WAV file's sound comes before its format")
			}
			// A file written to a pipe gives no size (0, or the largest):
			// its sound goes on to the end of the file.
			if n == 0 || n > size-at {
				n = size - at
			}
			frame := int64(format.channels * format.sampleSize)
			n -= n % frame
			if n == 0 {
				return nil, errors.New("the WAV file holds no sound")
			}
			w := &wavReader{r: r, br: bufio.NewReaderSize(r, 64*1024), format: *format,
				dataStart: at, dataLen: n, left: n, frame: make([]byte, frame)}
			return w, nil
		}
		if id != "fmt " {
			if at+n > size {
				return nil, errors.New("the WAV file ends before its sound")
			}
			if _, err := r.Seek(n, io.SeekCurrent); err != nil {
				return nil, err
			}
		}
		at += n
		if n%2 == 1 { // chunks are padded to an even length
			if _, err := r.Seek(1, io.SeekCurrent); err != nil {
				return nil, err
			}
			at++
		}
	}
	return nil, errors.New("the WAV file holds too many chunks before its sound")
}

func parseWAVFormat(b []byte) (wavFormat, error) {
	tag := binary.LittleEndian.Uint16(b)
	f := wavFormat{
		channels: int(binary.LittleEndian.Uint16(b[2:])),
		rate:     int(binary.LittleEndian.Uint32(b[4:])),
	}
	align := int(binary.LittleEndian.Uint16(b[12:]))
	bits := int(binary.LittleEndian.Uint16(b[14:]))
	if tag == wavExtensible {
		if len(b) < 40 {
			return f, errors.New("the WAV format chunk is cut short")
		}
		tag = binary.LittleEndian.Uint16(b[24:]) // the sub-format GUID's first two bytes
	}
	switch tag {
	case wavPCM:
	case wavFloat:
		f.float = true
	default:
		return f, fmt.Errorf("the WAV file holds sound of format %#x: pigeon plays PCM and float", tag)
	}
	if f.channels < 1 || f.channels > wavMaxChannels {
		return f, fmt.Errorf("the WAV file has %d channels", f.channels)
	}
	if f.rate < wavMinRate || f.rate > wavMaxRate {
		return f, fmt.Errorf("the WAV file's rate of %d Hz is not one pigeon plays", f.rate)
	}
	f.sampleSize = (bits + 7) / 8
	switch {
	case f.float && f.sampleSize != 4 && f.sampleSize != 8,
		!f.float && (f.sampleSize < 1 || f.sampleSize > 4):
		return f, fmt.Errorf("the WAV file has %d-bit samples (float: %v)", bits, f.float)
	case align != f.channels*f.sampleSize:
		return f, fmt.Errorf("the WAV file's frames are %d bytes, not %d channels of %d", align, f.channels, f.sampleSize)
	}
	return f, nil
}

// read fills dst with mono samples in [-1, 1], the channels mixed, going
// back to the start after the end.
func (w *wavReader) read(dst []float32) error {
	for i := range dst {
		if w.left == 0 {
			if _, err := w.r.Seek(w.dataStart, io.SeekStart); err != nil {
				return fmt.Errorf("going back to the start: %w", err)
			}
			w.br.Reset(w.r)
			w.left = w.dataLen
			w.loops++
		}
		if _, err := io.ReadFull(w.br, w.frame); err != nil {
			return fmt.Errorf("the sound after %.3f s: %w", float64(w.framesRead)/float64(w.format.rate), cutShort(err))
		}
		w.left -= int64(len(w.frame))
		w.framesRead++
		dst[i] = mixFrame(w.frame, w.format)
	}
	return nil
}

// mixFrame returns the mean of one frame's channels, in [-1, 1].
func mixFrame(frame []byte, f wavFormat) float32 {
	var sum float64
	for c := range f.channels {
		s := frame[c*f.sampleSize:][:f.sampleSize]
		var v float64
		switch {
		case f.float && f.sampleSize == 4:
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(s)))
		case f.float:
			v = math.Float64frombits(binary.LittleEndian.Uint64(s))
		case f.sampleSize == 1: // unsigned
			v = (float64(s[0]) - 128) / 128
		case f.sampleSize == 2:
			v = float64(int16(binary.LittleEndian.Uint16(s))) / (1 << 15)
		case f.sampleSize == 3:
			v = float64(int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24)) / (1 << 31)
		default:
			v = float64(int32(binary.LittleEndian.Uint32(s))) / (1 << 31)
		}
		if math.IsNaN(v) {
			v = 0
		}
		sum += max(-1, min(1, v))
	}
	return float32(sum / float64(f.channels))
}

// describe says what the file holds, for the user.
func (w *wavReader) describe() string {
	kind := "PCM"
	if w.format.float {
		kind = "float"
	}
	return fmt.Sprintf("WAV %d-bit %s, %d Hz, %s", w.format.sampleSize*8, kind, w.format.rate, channelWord(w.format.channels))
}

func channelWord(n int) string {
	switch n {
	case 1:
		return "mono"
	case 2:
		return "stereo"
	}
	return fmt.Sprintf("%d channels", n)
}
