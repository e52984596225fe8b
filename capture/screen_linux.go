package capture

import (
	"fmt"
	"image"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/driver/screen"
	"github.com/pion/mediadevices/pkg/io/video"
)

// screenInit registers the X11 screens with mediadevices once more, for a
// display that was not there when pigeon started (the driver looks only
// then); one at a time, so that a screen is registered once.
var screenInit sync.Mutex

func screens() []driver.Driver {
	return query(driver.FilterAnd(driver.FilterVideoRecorder(), driver.FilterDeviceType(driver.Screen)))
}

// openScreen opens the first screen of the X11 display that DISPLAY names,
// through mediadevices' screen driver.
func openScreen(opts Options) (mediadevices.VideoSource, string, error) {
	display := os.Getenv("DISPLAY")
	if display == "" {
		return nil, "", fmt.Errorf("%w: screen capture needs an X11 display, and DISPLAY is not set", ErrNoScreen)
	}
	screenInit.Lock()
	d := pick(screens(), "")
	if d == nil {
		screen.Initialize()
		d = pick(screens(), "")
	}
	screenInit.Unlock()
	if d == nil {
		return nil, "", fmt.Errorf("%w: the X11 display %s cannot be opened", ErrNoScreen, display)
	}
	if err := d.Open(); err != nil {
		return nil, "", fmt.Errorf("%w: opening screen %s of %s: %v", ErrNoScreen, d.Info().Label, display, err)
	}
	props := d.Properties()
	if len(props) == 0 {
		d.Close()
		return nil, "", fmt.Errorf("%w: screen %s of %s reports no size", ErrNoScreen, d.Info().Label, display)
	}
	p := props[0]
	p.FrameRate = float32(opts.FrameRate)
	size := p.Video
	r, err := d.(driver.VideoRecorder).VideoRecord(p)
	if err != nil {
		d.Close()
		return nil, "", fmt.Errorf("%w: capturing screen %s of %s: %v", ErrNoScreen, d.Info().Label, display, err)
	}
	v := newscreenVideo(guardVideo(r, "the screen"), d, opts.Width, opts.Height)
	label := fmt.Sprintf("the screen %s (%dx%d, sent as %dx%d)", display, size.Width, size.Height, opts.Width, opts.Height)
	return v, label, nil
}

// screenVideo is the screen as a camera: each frame shows the whole screen,
// scaled to fit the frame and centred on grey, as ImageVideo shows a
// picture. The frame keeps the call's size, whatever the screen's.
type screenVideo struct {
	r video.Reader
	d driver.Driver

	closed atomic.Bool
	mu     sync.Mutex // held while a frame is read: the driver is closed between reads
	frames [3]*image.YCbCr
	n      int
}

func newscreenVideo(r video.Reader, d driver.Driver, width, height int) *screenVideo {
	v := &screenVideo{r: r, d: d}
	for i := range v.frames {
		v.frames[i] = image.NewYCbCr(image.Rect(0, 0, width, height), image.YCbCrSubsampleRatio420)
	}
	return v
}

// ID identifies the source to mediadevices.
func (v *screenVideo) ID() string { return "pigeon-screen-video" }

// Read waits for the driver's next picture of the screen and returns it
// laid out in a frame.
func (v *screenVideo) Read() (image.Image, func(), error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed.Load() {
		return nil, func() {}, io.EOF
	}
	img, release, err := v.r.Read()
	if err != nil {
		return nil, func() {}, err
	}
	f := v.frames[v.n%len(v.frames)]
	v.n++
	layOut(f, img)
	release()
	return f, func() {}, nil
}

// Close ends the source: the next Read returns io.EOF. The driver's reader
// waits for its ticker, which closing the driver stops for good, and reads
// shared memory that closing frees: so the driver is closed only once no
// Read is under way, which is at most a frame's time.
func (v *screenVideo) Close() error {
	if v.closed.Swap(true) {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.d.Close()
}
