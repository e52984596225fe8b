package capture

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // a picture source shows JPEG
	_ "image/png"  // and PNG
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// ImagePrefix starts a video source name that shows a picture file:
// "image:code.png". The picture stands where a camera would, for a test, a
// demonstration, or a handshake whose codes are scanned from pictures.
const ImagePrefix = "image:"

// ImagePath returns the file a video source name shows, and whether the
// name is of a picture source at all.
func ImagePath(name string) (string, bool) {
	path, ok := strings.CutPrefix(name, ImagePrefix)
	return path, ok && path != ""
}

// imageBackground is the grey the picture sits on, and all a frame shows
// while the file is missing or cannot be read yet.
const imageBackground = 128

// maxImagePixels bounds the pictures an ImageVideo shows: no picture
// whose header claims more than memory holds is decoded.
const maxImagePixels = 40_000_000

// reloadEvery is how often an ImageVideo looks whether its file changed.
const reloadEvery = 200 * time.Millisecond

// ImageVideo is a camera that films a picture file: each frame shows the
// PNG or JPEG picture at the path, scaled to fit the frame and centred on
// grey. The file is read again whenever it changes on disk, so another
// program can change what the camera sees; while it is missing or cannot
// be read (it is being written), a frame shows the last picture read, or
// grey.
type ImageVideo struct {
	path          string
	width, height int
	ticker        *time.Ticker
	done          chan struct{}
	closeOnce     sync.Once

	// Owned by the reading goroutine.
	frames   [3]*image.YCbCr // handed out in turn, so a reader never sees a frame being drawn
	n        int
	shown    *image.YCbCr // the picture, laid out in a frame
	stamp    fileStamp    // of the file shown
	lastLook time.Time
}

// fileStamp tells one version of a file from the next.
type fileStamp struct {
	size int64
	mod  time.Time
}

// NewImageVideo returns a source of frames of the given size and rate that
// show the picture at path.
func NewImageVideo(path string, width, height int, frameRate float64) *ImageVideo {
	rect := image.Rect(0, 0, width, height)
	v := &ImageVideo{
		path:   path,
		width:  width,
		height: height,
		ticker: time.NewTicker(time.Duration(float64(time.Second) / frameRate)),
		done:   make(chan struct{}),
		shown:  image.NewYCbCr(rect, image.YCbCrSubsampleRatio420),
	}
	fill(v.shown, imageBackground)
	for i := range v.frames {
		v.frames[i] = image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	}
	return v
}

// ID identifies the source to mediadevices.
func (v *ImageVideo) ID() string { return "pigeon-image-video" }

// Read waits for the next frame time and returns a frame of the picture.
func (v *ImageVideo) Read() (image.Image, func(), error) {
	select {
	case <-v.done:
		return nil, func() {}, io.EOF
	case <-v.ticker.C:
	}
	if now := time.Now(); now.Sub(v.lastLook) >= reloadEvery {
		v.lastLook = now
		v.reload()
	}
	f := v.frames[v.n%len(v.frames)]
	v.n++
	copy(f.Y, v.shown.Y)
	copy(f.Cb, v.shown.Cb)
	copy(f.Cr, v.shown.Cr)
	return f, func() {}, nil
}

// checkPicture says why the file at path is not a picture ImageVideo can
// show, if it is not.
func checkPicture(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoPicture, err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrNoPicture, path, err)
	}
	if cfg.Width*cfg.Height > maxImagePixels {
		return fmt.Errorf("%w: %s is %dx%d, larger than pigeon shows", ErrNoPicture, path, cfg.Width, cfg.Height)
	}
	return nil
}

// reload reads the file again if it changed since the picture shown was
// read from it.
func (v *ImageVideo) reload() {
	info, err := os.Stat(v.path)
	if err != nil {
		return
	}
	stamp := fileStamp{info.Size(), info.ModTime()}
	if stamp == v.stamp {
		return
	}
	data, err := os.ReadFile(v.path)
	if err != nil {
		return
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width*cfg.Height > maxImagePixels {
		return // half written, most likely: looked at again next time
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return
	}
	v.stamp = stamp
	layOut(v.shown, img)
}

// Close ends the source: the next Read returns io.EOF.
func (v *ImageVideo) Close() error {
	v.closeOnce.Do(func() {
		close(v.done)
		v.ticker.Stop()
	})
	return nil
}

// layOut draws img into frame, fitted and centred on grey, with the
// nearest source pixel for each of frame's (a sharp QR code stays sharp).
// Colours become BT.601 limited-range Y'CbCr, as a camera gives.
func layOut(frame *image.YCbCr, img image.Image) {
	fill(frame, imageBackground)
	fw, fh := frame.Rect.Dx(), frame.Rect.Dy()
	b := img.Bounds()
	if b.Empty() {
		return
	}
	w, h := fw, fw*b.Dy()/b.Dx()
	if h > fh {
		w, h = fh*b.Dx()/b.Dy(), fh
	}
	x0, y0 := (fw-w)/2, (fh-h)/2
	for y := range h {
		sy := b.Min.Y + y*b.Dy()/h
		for x := range w {
			sx := b.Min.X + x*b.Dx()/w
			r, g, bl, _ := img.At(sx, sy).RGBA()
			yy, cb, cr := limitedYCbCr(r>>8, g>>8, bl>>8)
			frame.Y[frame.YOffset(x0+x, y0+y)] = yy
			ci := frame.COffset(x0+x, y0+y)
			frame.Cb[ci], frame.Cr[ci] = cb, cr
		}
	}
}

// limitedYCbCr converts 8-bit RGB to BT.601 limited-range Y'CbCr, the
// inverse of render/picture.RGB.
func limitedYCbCr(r, g, b uint32) (y, cb, cr uint8) {
	fr, fg, fb := float64(r), float64(g), float64(b)
	return uint8(16 + (65.738*fr+129.057*fg+25.064*fb)/256 + 0.5),
		uint8(128 + (-37.945*fr-74.494*fg+112.439*fb)/256 + 0.5),
		uint8(128 + (112.439*fr-94.154*fg-18.285*fb)/256 + 0.5)
}

func fill(frame *image.YCbCr, grey uint8) {
	for i := range frame.Y {
		frame.Y[i] = grey
	}
	for i := range frame.Cb {
		frame.Cb[i], frame.Cr[i] = 128, 128
	}
}
