package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// IVF is libvpx's container: a 32-byte file header, then each frame after
// a 12-byte header of its size and time.
const (
	ivfMagic       = "DKIF"
	ivfHeaderSize  = 32
	ivfFrameHeader = 12
)

// ivfMaxFrame bounds a frame: mediadevices' VP8 decoder reads a frame into
// a buffer of 1 MiB, and a larger size is a damaged header.
const ivfMaxFrame = 1 << 20

// ivfMaxGap is the longest time between two frames that a file's
// timestamps are taken for; a longer one (or one that goes back) is
// replaced by the file's nominal frame time.
const ivfMaxGap = 2 * time.Second

// ivfReader reads the frames of an IVF stream, from the first again after
// the last.
type ivfReader struct {
	r             io.ReadSeeker
	br            *bufio.Reader
	dataStart     int64
	fourCC        string
	width, height int
	timeNum       uint32 // a timestamp unit is timeNum/timeDen seconds
	timeDen       uint32
	frameTime     time.Duration // nominal, from the header's time base
	buf           []byte
	n             int // frames read since the start of the file
	loops         int // times the file started again
}

// newIVF reads the header of the IVF stream r.
func newIVF(r io.ReadSeeker) (*ivfReader, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	var h [ivfHeaderSize]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return nil, fmt.Errorf("reading the IVF header: %w", cutShort(err))
	}
	if string(h[:4]) != ivfMagic {
		return nil, errors.New("not an IVF file")
	}
	size := int(binary.LittleEndian.Uint16(h[6:]))
	v := &ivfReader{
		r: r, br: br,
		fourCC:  string(h[8:12]),
		width:   int(binary.LittleEndian.Uint16(h[12:])),
		height:  int(binary.LittleEndian.Uint16(h[14:])),
		timeDen: binary.LittleEndian.Uint32(h[16:]),
		timeNum: binary.LittleEndian.Uint32(h[20:]),
	}
	if size < ivfHeaderSize || size > 1024 {
		return nil, fmt.Errorf("the IVF header says it is %d bytes long", size)
	}
	if _, err := br.Discard(size - ivfHeaderSize); err != nil {
		return nil, fmt.Errorf("reading the IVF header: %w", cutShort(err))
	}
	v.dataStart = int64(size)
	if v.timeNum == 0 || v.timeDen == 0 {
		return nil, fmt.Errorf("the IVF header's time base %d/%d is not one", v.timeNum, v.timeDen)
	}
	v.frameTime = v.duration(1)
	if v.frameTime < time.Millisecond || v.frameTime > ivfMaxGap {
		// Many writers give a time base finer than a frame (pion's, 1/1000
		// s with timestamps in milliseconds): the frames' own times pace
		// the file, and a frame time fits their gaps when they give none.
		v.frameTime = time.Second / DefaultFrameRate
	}
	v.buf = make([]byte, 0, 64*1024)
	return v, nil
}

// duration is pts timestamp units as a duration, saturating.
func (v *ivfReader) duration(pts uint64) time.Duration {
	secs := float64(pts) * float64(v.timeNum) / float64(v.timeDen)
	if secs > float64(time.Hour*24*365)/float64(time.Second) {
		return time.Hour * 24 * 365
	}
	return time.Duration(secs * float64(time.Second))
}

// ivfFrame is one frame as the file holds it: its data, valid until the
// next read, and its time from the start of the file.
type ivfFrame struct {
	data []byte
	at   time.Duration
}

// next reads the next frame, going back to the first after the last.
func (v *ivfReader) next() (ivfFrame, error) {
	var h [ivfFrameHeader]byte
	_, err := io.ReadFull(v.br, h[:])
	if errors.Is(err, io.EOF) {
		if v.n == 0 {
			return ivfFrame{}, errors.New("the IVF file holds no frame")
		}
		if err := v.rewind(); err != nil {
			return ivfFrame{}, err
		}
		_, err = io.ReadFull(v.br, h[:])
	}
	if err != nil {
		return ivfFrame{}, fmt.Errorf("frame %d: %w", v.n+1, cutShort(err))
	}
	size := binary.LittleEndian.Uint32(h[:4])
	switch {
	case size == 0:
		return ivfFrame{}, fmt.Errorf("frame %d: its header gives a size of 0 bytes", v.n+1)
	case size > ivfMaxFrame:
		return ivfFrame{}, fmt.Errorf("frame %d: its header gives a size of %d bytes, more than the 1 MiB pigeon's decoder takes", v.n+1, size)
	}
	if cap(v.buf) < int(size) {
		v.buf = make([]byte, size)
	}
	v.buf = v.buf[:size]
	if _, err := io.ReadFull(v.br, v.buf); err != nil {
		return ivfFrame{}, fmt.Errorf("frame %d: %w", v.n+1, cutShort(err))
	}
	v.n++
	return ivfFrame{data: v.buf, at: v.duration(binary.LittleEndian.Uint64(h[4:]))}, nil
}

// rewind goes back to the first frame.
func (v *ivfReader) rewind() error {
	if _, err := v.r.Seek(v.dataStart, io.SeekStart); err != nil {
		return fmt.Errorf("going back to the first frame: %w", err)
	}
	v.br.Reset(v.r)
	v.n = 0
	v.loops++
	return nil
}

// isVP8KeyFrame says whether frame is a VP8 keyframe: one a decoder can
// start from (RFC 6386, 9.1).
func isVP8KeyFrame(frame []byte) bool {
	return len(frame) >= 10 && frame[0]&1 == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a
}
