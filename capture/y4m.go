package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// YUV4MPEG2 (Y4M) is raw video with a one-line text header: what ffmpeg
// writes with -f yuv4mpegpipe, and what Chromium's fake camera reads.
const y4mMagic = "YUV4MPEG2"

// y4mMaxLine bounds a header or frame line: a file whose first line runs
// on is not a Y4M file.
const y4mMaxLine = 4096

// y4mMaxSide bounds a Y4M picture's width and height; maxImagePixels
// bounds their product.
const y4mMaxSide = 16384

// y4mDefaultRate is the frame rate of a Y4M file whose header gives none,
// as ffmpeg assumes.
const y4mDefaultRate = 25

// planar is one picture of 8-bit planar Y'CbCr: a luma plane and two
// chroma planes subsampled by sx across and sy down (none for grey).
type planar struct {
	w, h   int
	sx, sy int // 1, 2 or 4
	y      []byte
	ys     int    // luma stride
	cb, cr []byte // nil for a grey picture
	cs     int    // chroma stride
}

// chromaSize is the size of a chroma plane.
func (p *planar) chromaSize() (int, int) {
	return (p.w + p.sx - 1) / p.sx, (p.h + p.sy - 1) / p.sy
}

// y4mReader reads the frames of a Y4M stream, from the first again after
// the last.
type y4mReader struct {
	r         io.ReadSeeker
	br        *bufio.Reader
	dataStart int64 // where the first frame starts
	frame     planar
	rate      float64 // frames per second
	colour    string  // the header's C tag, for the user
	n         int     // frames read since the start of the file
	loops     int     // times the file started again
}

// newY4M reads the header of the Y4M stream r.
func newY4M(r io.ReadSeeker) (*y4mReader, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	line, err := readLine(br)
	if err != nil {
		return nil, fmt.Errorf("reading the Y4M header: %w", err)
	}
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != y4mMagic {
		return nil, errors.New("not a Y4M file")
	}
	y := &y4mReader{r: r, br: br, dataStart: int64(len(line) + 1), rate: y4mDefaultRate, colour: "420jpeg"}
	w, h := -1, -1
	for _, f := range fields[1:] {
		tag, value := f[0], f[1:]
		switch tag {
		case 'W':
			w, err = strconv.Atoi(value)
		case 'H':
			h, err = strconv.Atoi(value)
		case 'F':
			y.rate, err = parseRatio(value)
			if err == nil && (y.rate < 0.1 || y.rate > 1000) {
				err = fmt.Errorf("%s frames a second is not a rate pigeon plays", value)
			}
		case 'C':
			y.colour = value
		default:
			// Interlacing, pixel aspect, extensions: the picture is shown
			// as it is.
		}
		if err != nil {
			return nil, fmt.Errorf("the Y4M header: %w", err)
		}
	}
	if w < 1 || h < 1 || w > y4mMaxSide || h > y4mMaxSide || w*h > maxImagePixels {
		return nil, fmt.Errorf("the Y4M header gives a picture of %dx%d, not one pigeon shows", w, h)
	}
	p := planar{w: w, h: h}
	switch y.colour {
	case "420jpeg", "420paldv", "420mpeg2", "420":
		p.sx, p.sy = 2, 2
	case "422":
		p.sx, p.sy = 2, 1
	case "444":
		p.sx, p.sy = 1, 1
	case "411":
		p.sx, p.sy = 4, 1
	case "mono":
		p.sx, p.sy = 1, 1
	default:
		return nil, fmt.Errorf("Y4M colour space %q is not 8-bit 4:2:0, 4:2:2, 4:4:4, 4:1:1 or mono", y.colour)
	}
	p.y, p.ys = make([]byte, w*h), w
	if y.colour != "mono" {
		cw, ch := p.chromaSize()
		p.cb, p.cr, p.cs = make([]byte, cw*ch), make([]byte, cw*ch), cw
	}
	y.frame = p
	return y, nil
}

// parseRatio reads "30000:1001" or "25".
func parseRatio(s string) (float64, error) {
	num, den, found := strings.Cut(s, ":")
	n, err := strconv.ParseUint(num, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("bad ratio %q", s)
	}
	d := uint64(1)
	if found {
		if d, err = strconv.ParseUint(den, 10, 32); err != nil || d == 0 {
			return 0, fmt.Errorf("bad ratio %q", s)
		}
	}
	return float64(n) / float64(d), nil
}

// readLine reads a line of at most y4mMaxLine bytes, without its newline.
func readLine(br *bufio.Reader) (string, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > y4mMaxLine {
			return "", errors.New("a line runs on with no end")
		}
		switch {
		case err == nil:
			return string(line[:len(line)-1]), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return "", io.ErrUnexpectedEOF
		default:
			return "", err
		}
	}
}

// next reads the next frame into y.frame, going back to the first after
// the last. The frame stays as it is until the next call.
func (y *y4mReader) next() (*planar, error) {
	line, err := readLine(y.br)
	if errors.Is(err, io.EOF) {
		if y.n == 0 {
			return nil, errors.New("the Y4M file holds no frame")
		}
		if err := y.rewind(); err != nil {
			return nil, err
		}
		line, err = readLine(y.br)
	}
	if err != nil {
		return nil, fmt.Errorf("frame %d: %w", y.n+1, cutShort(err))
	}
	if line != "FRAME" && !strings.HasPrefix(line, "FRAME ") {
		return nil, fmt.Errorf("frame %d does not start with FRAME", y.n+1)
	}
	planes := [][]byte{y.frame.y, y.frame.cb, y.frame.cr}
	for _, p := range planes {
		if _, err := io.ReadFull(y.br, p); err != nil {
			return nil, fmt.Errorf("frame %d: %w", y.n+1, cutShort(err))
		}
	}
	y.n++
	return &y.frame, nil
}

// rewind goes back to the first frame.
func (y *y4mReader) rewind() error {
	if _, err := y.r.Seek(y.dataStart, io.SeekStart); err != nil {
		return fmt.Errorf("going back to the first frame: %w", err)
	}
	y.br.Reset(y.r)
	y.n = 0
	y.loops++
	return nil
}

// cutShort says that a file ended in the middle of something.
func cutShort(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("cut short")
	}
	return err
}

// describe says what the stream holds, for the user.
func (y *y4mReader) describe() string {
	return fmt.Sprintf("Y4M %dx%d %s at %s fps", y.frame.w, y.frame.h, y.colour, formatRate(y.rate))
}

// formatRate writes a frame rate as a person reads it: 25, 29.97.
func formatRate(r float64) string {
	return strconv.FormatFloat(math.Round(r*100)/100, 'f', -1, 64)
}
