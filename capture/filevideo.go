package capture

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/prop"
)

// maxLateness is how far behind its clock a file source may fall (a
// machine that stalled) before it starts again from now, rather than
// rush through the pictures or sound it missed.
const maxLateness = time.Second

// FileVideo is a camera that plays a video file, as Chromium's
// --use-file-for-fake-video-capture does: a Y4M file (8-bit 4:2:0, 4:2:2,
// 4:4:4, 4:1:1 or mono) or an IVF file of VP8, looped with no gap, each
// picture shown at the file's own pace and fitted, keeping its shape, into
// frames of the size asked for, on black. A file found damaged while it
// plays ends the source with an error that wraps ErrMediaFile.
type FileVideo struct {
	path      string
	label     string
	done      chan struct{}
	closeOnce sync.Once

	mu     sync.Mutex // held while a picture is read; Close waits for it
	file   *os.File
	pics   pictureFile
	fit    *fitter
	first  *planar // read by OpenFileVideo, shown by the first Read
	due    time.Time
	err    error // sticky, once the file is found damaged
	closed bool
}

// pictureFile is a video file's pictures, in order, looped.
type pictureFile interface {
	// next returns the next picture, valid until the next call, and how
	// long after the one before it is to be shown.
	next() (*planar, time.Duration, error)
	describe() string
	close()
}

// OpenFileVideo opens the video file at path (Y4M or IVF, told apart by
// their contents) for frames of width x height, and reads its first
// picture: a file that is not one pigeon plays, or damaged from the
// start, is refused here.
func OpenFileVideo(path string, width, height int) (*FileVideo, error) {
	f, kind, err := openMediaFile(path)
	if err != nil {
		return nil, err
	}
	var pics pictureFile
	switch kind {
	case kindY4M:
		pics, err = newY4MPictures(f)
	case kindIVF:
		pics, err = newIVFPictures(f)
	case kindWAV, kindOgg:
		err = ErrSoundNotVideo
	case kindPicture:
		err = errPicture
	default:
		err = errors.New("it is not a video file pigeon plays (Y4M, or IVF with VP8)")
	}
	if err == nil {
		var first *planar
		if first, _, err = pics.next(); err == nil {
			v := &FileVideo{
				path: path, file: f, pics: pics, first: first,
				label: fmt.Sprintf("the video %s (%s, looped)", filepath.Base(path), pics.describe()),
				done:  make(chan struct{}),
				fit:   newFitter(width, height),
			}
			return v, nil
		}
		pics.close()
	}
	f.Close()
	return nil, fmt.Errorf("%w %s: %w", ErrMediaFile, path, err)
}

// ID identifies the source to mediadevices.
func (v *FileVideo) ID() string { return "pigeon-file-video" }

// Label says what the source plays, for the user.
func (v *FileVideo) Label() string { return v.label }

// Read waits until the next picture of the file is due and returns it in
// a frame, which stays as it is until the next Read.
func (v *FileVideo) Read() (image.Image, func(), error) {
	pic, due, err := v.next()
	if err != nil {
		return nil, func() {}, err
	}
	if wait := time.Until(due); wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-v.done:
			return nil, func() {}, io.EOF
		case <-timer.C:
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil, func() {}, io.EOF
	}
	return v.fit.draw(pic), func() {}, nil
}

// next reads the next picture and says when it is due.
func (v *FileVideo) next() (*planar, time.Time, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case v.closed:
		return nil, time.Time{}, io.EOF
	case v.err != nil:
		return nil, time.Time{}, v.err
	case v.first != nil:
		pic := v.first
		v.first, v.due = nil, time.Now()
		return pic, v.due, nil
	}
	pic, gap, err := v.pics.next()
	if err != nil {
		v.err = fmt.Errorf("%w %s: %v", ErrMediaFile, v.path, err)
		return nil, time.Time{}, v.err
	}
	v.due = v.due.Add(gap)
	if now := time.Now(); now.Sub(v.due) > maxLateness {
		v.due = now
	}
	return pic, v.due, nil
}

// Close ends the source: the next Read returns io.EOF. It waits for a
// Read under way, then closes the file.
func (v *FileVideo) Close() error {
	v.closeOnce.Do(func() {
		close(v.done)
		v.mu.Lock()
		defer v.mu.Unlock()
		v.closed = true
		v.pics.close()
		v.file.Close()
	})
	return nil
}

// y4mPictures is a Y4M file's pictures, each a frame time after the last.
type y4mPictures struct {
	*y4mReader
	gap time.Duration
}

func newY4MPictures(r io.ReadSeeker) (*y4mPictures, error) {
	y, err := newY4M(r)
	if err != nil {
		return nil, err
	}
	return &y4mPictures{y4mReader: y, gap: time.Duration(float64(time.Second) / y.rate)}, nil
}

func (y *y4mPictures) next() (*planar, time.Duration, error) {
	p, err := y.y4mReader.next()
	return p, y.gap, err
}

func (y *y4mPictures) close() {}

// ivfPictures decodes an IVF file's VP8 frames with libvpx, through
// mediadevices' decoder, and paces them by their timestamps.
type ivfPictures struct {
	feed *ivfFeed
	dec  codec.VideoDecoder
	pic  planar
	at   time.Duration // the time of the picture before
	gap  time.Duration // the last gap between two pictures
	rate float64       // frames a second, from the first two, for the user
}

// ivfFeed hands the decoder one frame of the file per Read, as it wants.
type ivfFeed struct {
	v    *ivfReader
	last ivfFrame
	err  error // why the file could not be read, as against decoded
}

func (f *ivfFeed) Read(p []byte) (int, error) {
	frame, err := f.v.next()
	if err == nil && len(frame.data) > len(p) {
		err = fmt.Errorf("frame %d is larger than the decoder takes", f.v.n)
	}
	if err != nil {
		f.err = err
		return 0, err
	}
	f.last = frame
	return copy(p, frame.data), nil
}

func newIVFPictures(r io.ReadSeeker) (*ivfPictures, error) {
	v, err := newIVF(r)
	if err != nil {
		return nil, err
	}
	switch v.fourCC {
	case "VP80":
	case "VP90":
		return nil, errors.New("it holds VP9 video, which pigeon does not decode: make it VP8 or Y4M")
	default:
		return nil, fmt.Errorf("it holds %q video, which pigeon does not decode: make it VP8 or Y4M", v.fourCC)
	}
	if v.width < 1 || v.height < 1 {
		return nil, fmt.Errorf("the IVF header gives a picture of %dx%d", v.width, v.height)
	}
	// The first frame must be a keyframe, one a decoder starts from; so
	// it is again each time the file starts over.
	first, err := v.next()
	if err != nil {
		return nil, err
	}
	if !isVP8KeyFrame(first.data) {
		return nil, errors.New("its first frame is not a VP8 keyframe")
	}
	// The first two frames' times say the file's pace, to the user.
	gap, at := v.frameTime, first.at
	if second, err := v.next(); err == nil {
		if d := second.at - at; d > 0 && d <= ivfMaxGap {
			gap = d
		}
	}
	if err := v.rewind(); err != nil {
		return nil, err
	}
	v.loops = 0
	feed := &ivfFeed{v: v}
	dec, err := vpx.NewDecoder(feed, prop.Media{Video: prop.Video{Width: v.width, Height: v.height}})
	if err != nil {
		return nil, fmt.Errorf("starting the VP8 decoder: %w", err)
	}
	return &ivfPictures{feed: feed, dec: dec, gap: gap, rate: float64(time.Second) / float64(gap)}, nil
}

func (p *ivfPictures) next() (*planar, time.Duration, error) {
	img, _, err := p.dec.Read()
	if err != nil {
		if p.feed.err != nil {
			return nil, 0, p.feed.err
		}
		return nil, 0, fmt.Errorf("frame %d does not decode (%v)", p.feed.v.n, err)
	}
	ycc, ok := img.(*image.YCbCr)
	if !ok || ycc.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		return nil, 0, fmt.Errorf("frame %d decodes to an unexpected picture", p.feed.v.n)
	}
	b := ycc.Rect
	p.pic = planar{w: b.Dx(), h: b.Dy(), sx: 2, sy: 2, y: ycc.Y, ys: ycc.YStride, cb: ycc.Cb, cr: ycc.Cr, cs: ycc.CStride}
	at := p.feed.last.at
	if d := at - p.at; d > 0 && d <= ivfMaxGap {
		p.gap = d
	}
	// Otherwise (the file started over, or its times jump) the picture
	// comes as long after the last as the one before did.
	p.at = at
	return &p.pic, p.gap, nil
}

func (p *ivfPictures) describe() string {
	v := p.feed.v
	return fmt.Sprintf("IVF VP8 %dx%d at %s fps", v.width, v.height, formatRate(p.rate))
}

func (p *ivfPictures) close() { p.dec.Close() }
