// Package window shows a call in a desktop window through SDL2: the remote
// video large, the self-view small in a corner, a status line under them.
// A call with several peers shows each in a tile of its own, a grid that
// fits the window, each tile labelled with its peer's name.
//
// SDL runs on one OS thread of its own, which this package starts and stops:
// the network and decoding goroutines only hand it pictures, and key presses
// and the window's closing come back through callbacks.
package window

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/veandco/go-sdl2/sdl"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/pigeon-call/pigeon/render/picture"
)

var (
	// ErrNoDisplay means there is no display to open a window on.
	ErrNoDisplay = errors.New("no display")
	// ErrBusy means a window is already open: SDL has one event loop a process.
	ErrBusy = errors.New("a window is already open")
)

// Keys reported to Options.OnKey are the characters of the keys pressed,
// such as 'm' or 'q', and these.
const (
	KeyEscape = rune(0x1b)
)

// Options configure a Window.
type Options struct {
	Title         string
	Width, Height int // of the video area at first; 640x480 unless set
	// OnKey is told each key pressed in the window. It runs on a goroutine of
	// the window's, not on SDL's thread, so it may call the Window's methods.
	OnKey func(key rune)
	// OnClose is told when the user closes the window; the same rule holds.
	OnClose func()
}

// Available reports whether a display seems to be there: the environment
// names an X11 or Wayland display (on Linux and the BSDs), or the system has
// one of its own (Windows, macOS).
func Available() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// Window is an open window.
type Window struct {
	opts Options

	mu         sync.Mutex
	tiles      []*tile // the peers' pictures, in the order they came
	local      image.Image
	localSet   bool
	status     string
	fullscreen bool
	dirty      bool
	closing    bool

	wakeType uint32
	woken    atomic.Bool // a wake event is in SDL's queue
	events   chan func()
	done     chan struct{}
	stopped  chan struct{}
	frames   atomic.Int64
	renderer string // SDL's renderer, such as "opengl" or "software"
}

// tile is one peer's picture and name, as the callers set them, for SDL's
// thread to take.
type tile struct {
	id, label string
	img       image.Image
	imgSet    bool // img is new
	fresh     bool // the tile is new: whatever SDL's thread had for its id is gone
	// The window's copies of 4:2:0 pictures, which the decoder reuses:
	// ShowPeer writes pending, SDL's thread draws the other.
	pending, drawn *image.YCbCr
}

var open sync.Mutex // held while a window is open

// Open opens a window and starts its thread.
func Open(opts Options) (*Window, error) {
	if !Available() {
		return nil, fmt.Errorf("%w: neither DISPLAY nor WAYLAND_DISPLAY is set", ErrNoDisplay)
	}
	if !open.TryLock() {
		return nil, ErrBusy
	}
	if opts.Width <= 0 || opts.Height <= 0 {
		opts.Width, opts.Height = 640, 480
	}
	if opts.Title == "" {
		opts.Title = "pigeon"
	}
	w := &Window{
		opts:    opts,
		events:  make(chan func(), 16),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	ready := make(chan error, 1)
	go w.run(ready)
	if err := <-ready; err != nil {
		<-w.stopped
		open.Unlock()
		return nil, err
	}
	go w.dispatch()
	return w, nil
}

// graphicsHardware reports whether the display can draw with a GPU: the X
// display is this machine's (not one forwarded over SSH, where OpenGL would
// go over the network) and the kernel has a render node or NVIDIA's device.
// Xvfb and a desktop on a machine without a GPU have neither.
func graphicsHardware() bool {
	if d := os.Getenv("DISPLAY"); d != "" && !strings.HasPrefix(d, ":") && !strings.HasPrefix(d, "unix:") {
		return false
	}
	for _, pattern := range []string{"/dev/dri/renderD*", "/dev/nvidia[0-9]*"} {
		if found, _ := filepath.Glob(pattern); len(found) > 0 {
			return true
		}
	}
	return false
}

// Renderer names the SDL renderer in use, such as "opengl" or "software".
func (w *Window) Renderer() string { return w.renderer }

// Frames counts the frames presented so far.
func (w *Window) Frames() int64 { return w.frames.Load() }

// ShowRemote makes img the remote picture of a call with one peer (the
// tile of the peer ""); nil takes it away. An *image.YCbCr, which is what
// the VP8 decoder gives, is copied (the decoder reuses it) and goes to the
// graphics card as it is, if 4:2:0; the window keeps any other img: its
// owner must not change it after.
func (w *Window) ShowRemote(img image.Image) {
	if img == nil {
		w.RemovePeer("")
		return
	}
	w.ShowPeer("", img)
}

// ShowPeer makes img the picture in the tile of the peer id, under the
// same rule as ShowRemote; a new id gets a tile after the others. nil
// leaves the tile there, black, with its label: a peer with no video.
func (w *Window) ShowPeer(id string, img image.Image) {
	w.set(func() {
		t := w.tile(id)
		if ycc, ok := img.(*image.YCbCr); ok {
			t.pending = picture.CopyYCbCr(t.pending, ycc)
			img = t.pending
		}
		t.img, t.imgSet = img, true
	})
}

// SetLabel sets the name shown on the tile of the peer id, when the window
// shows more than one; a new id gets a tile after the others.
func (w *Window) SetLabel(id, label string) { w.set(func() { w.tile(id).label = label }) }

// RemovePeer takes the tile of the peer id away: the others share the
// window.
func (w *Window) RemovePeer(id string) {
	w.set(func() {
		w.tiles = slices.DeleteFunc(w.tiles, func(t *tile) bool { return t.id == id })
	})
}

// tile returns the tile of id, made if there is none; w.mu is held.
func (w *Window) tile(id string) *tile {
	for _, t := range w.tiles {
		if t.id == id {
			return t
		}
	}
	t := &tile{id: id, fresh: true}
	w.tiles = append(w.tiles, t)
	return t
}

// ShowLocal sets the self-view picture, under the same rule; nil hides it.
func (w *Window) ShowLocal(img image.Image) { w.set(func() { w.local, w.localSet = img, true }) }

// SetStatus sets the line shown under the video.
func (w *Window) SetStatus(line string) { w.set(func() { w.status = line }) }

// SetFullscreen makes the window fill the screen, or gives it back its size.
func (w *Window) SetFullscreen(on bool) { w.set(func() { w.fullscreen = on }) }

// Fullscreen reports whether the window fills the screen.
func (w *Window) Fullscreen() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fullscreen
}

func (w *Window) set(change func()) {
	w.mu.Lock()
	change()
	w.dirty = true
	closing := w.closing
	w.mu.Unlock()
	if !closing {
		w.wake()
	}
}

// wake gets SDL's thread out of its wait, with one event at most in the queue.
func (w *Window) wake() {
	if w.woken.Swap(true) {
		return
	}
	sdl.PushEvent(&wakeEvent{UserEvent: sdl.UserEvent{Type: w.wakeType}})
}

// wakeEvent is a user event in memory the size of SDL's event union, which
// PushEvent copies whole (a bare UserEvent is smaller, and -race's pointer
// checks stop the program on the copy).
type wakeEvent struct {
	sdl.UserEvent
	_ [unsafe.Sizeof(sdl.CEvent{}) - unsafe.Sizeof(sdl.UserEvent{})]byte
}

// Close closes the window and stops its thread. It may be called from the
// callbacks.
func (w *Window) Close() error {
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		<-w.stopped
		return nil
	}
	w.closing = true
	w.mu.Unlock()
	close(w.done)
	w.woken.Store(false)
	w.wake()
	<-w.stopped
	open.Unlock()
	return nil
}

// dispatch runs the callbacks in order, off SDL's thread.
func (w *Window) dispatch() {
	for {
		select {
		case f := <-w.events:
			f()
		case <-w.done:
			return
		}
	}
}

func (w *Window) report(f func()) {
	if f == nil {
		return
	}
	select {
	case w.events <- f:
	default: // the callbacks are stuck; a key press is not worth blocking SDL for
	}
}

// initVideo starts SDL's video. On a display that works, SDL 2.0.12 has
// said "No available video device" about one time in twenty-five (a window
// test run 25 times against a fresh Xvfb each, and once in a benchmark's
// call on one long-running Xvfb), and opened it when asked again; why is
// not known (200 plain starts of SDL in a loop never failed). So a second
// try follows a failed one; where there truly is no display, the user
// hears so 200 ms later.
func initVideo() error {
	err := sdl.Init(sdl.INIT_VIDEO | sdl.INIT_EVENTS)
	if err == nil {
		return nil
	}
	sdl.Quit()
	time.Sleep(200 * time.Millisecond)
	if sdl.Init(sdl.INIT_VIDEO|sdl.INIT_EVENTS) == nil {
		return nil
	}
	return err
}

// run is SDL's thread: it opens the window, then waits for events and
// pictures and draws, until Close.
func (w *Window) run(ready chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(w.stopped)

	// Ctrl-C stays the program's: SDL would turn it into a quit event.
	sdl.SetHint(sdl.HINT_NO_SIGNAL_HANDLERS, "1")
	sdl.SetHint(sdl.HINT_RENDER_SCALE_QUALITY, "linear")
	if os.Getenv("DISPLAY") != "" {
		// X11 first where there is one (XWayland too): probing Wayland
		// without a compositor prints complaints on stderr.
		sdl.SetHintWithPriority(sdl.HINT_VIDEODRIVER, "x11,wayland", sdl.HINT_DEFAULT)
	}
	var flags uint32
	if !graphicsHardware() {
		// Without a GPU, OpenGL is Mesa's llvmpipe: a JIT compiler that
		// costs far more memory and CPU than SDL's own blitter. SDL also
		// probes OpenGL for the window's surface unless told not to, and
		// SDL 2.0.12 (go-sdl2's static build) probes it in sdl.Init: the
		// hints go first. An SDL_RENDER_DRIVER in the environment still
		// decides.
		sdl.SetHint(sdl.HINT_RENDER_DRIVER, "software")
		sdl.SetHint(sdl.HINT_FRAMEBUFFER_ACCELERATION, "0")
		flags = sdl.RENDERER_SOFTWARE
	}
	if err := initVideo(); err != nil {
		ready <- fmt.Errorf("%w: %v", ErrNoDisplay, err)
		return
	}
	defer sdl.Quit()
	w.wakeType = sdl.RegisterEvents(1)

	win, err := sdl.CreateWindow(w.opts.Title, sdl.WINDOWPOS_UNDEFINED, sdl.WINDOWPOS_UNDEFINED,
		int32(w.opts.Width), int32(w.opts.Height+statusHeight), sdl.WINDOW_SHOWN|sdl.WINDOW_RESIZABLE|sdl.WINDOW_ALLOW_HIGHDPI)
	if err != nil {
		ready <- fmt.Errorf("%w: opening a window: %v", ErrNoDisplay, err)
		return
	}
	defer win.Destroy()
	ren, err := sdl.CreateRenderer(win, -1, flags)
	if err != nil {
		ready <- fmt.Errorf("%w: drawing in the window: %v", ErrNoDisplay, err)
		return
	}
	defer ren.Destroy()
	if info, err := ren.GetInfo(); err == nil {
		w.renderer = info.Name
	}

	s := &scene{win: win, ren: ren}
	defer s.destroy()
	ready <- nil

	fullscreen := false
	for {
		ev := sdl.WaitEventTimeout(500)
		redraw := false
		for ; ev != nil; ev = sdl.PollEvent() {
			switch e := ev.(type) {
			case *sdl.QuitEvent:
				w.report(w.opts.OnClose)
			case *sdl.WindowEvent:
				switch e.Event {
				case sdl.WINDOWEVENT_CLOSE:
					w.report(w.opts.OnClose)
				case sdl.WINDOWEVENT_SIZE_CHANGED, sdl.WINDOWEVENT_EXPOSED, sdl.WINDOWEVENT_RESTORED:
					redraw = true
				}
			case *sdl.KeyboardEvent:
				if e.Type == sdl.KEYDOWN && e.Repeat == 0 && e.Keysym.Sym > 0 && e.Keysym.Sym < 0x7f {
					if key := rune(e.Keysym.Sym); w.opts.OnKey != nil {
						w.report(func() { w.opts.OnKey(key) })
					}
				}
			case *sdl.UserEvent:
				w.woken.Store(false)
			}
		}
		select {
		case <-w.done:
			return
		default:
		}

		w.mu.Lock()
		local, localSet, status, full, dirty := w.local, w.localSet, w.status, w.fullscreen, w.dirty
		w.localSet, w.dirty = false, false
		tiles := make([]tile, len(w.tiles))
		for i, t := range w.tiles {
			tiles[i] = tile{id: t.id, label: t.label, img: t.img, imgSet: t.imgSet, fresh: t.fresh}
			if ycc, ok := t.img.(*image.YCbCr); ok && t.imgSet && ycc == t.pending {
				// Drawn below, outside the lock: the next copy goes to
				// the one drawn last time.
				t.pending, t.drawn = t.drawn, t.pending
			}
			t.img, t.imgSet, t.fresh = nil, false, false
		}
		w.mu.Unlock()
		if full != fullscreen {
			var flags uint32
			if full {
				flags = sdl.WINDOW_FULLSCREEN_DESKTOP
			}
			win.SetFullscreen(flags)
			fullscreen, redraw = full, true
		}
		if !dirty && !redraw {
			continue
		}
		s.setTiles(tiles)
		if localSet {
			s.setLocal(local)
		}
		s.setStatus(status)
		s.draw()
		w.frames.Add(1)
	}
}

// statusHeight is the height of the status line, in window points.
const statusHeight = 20

// scene is what the window shows, as SDL textures. Only SDL's thread uses it.
type scene struct {
	win           *sdl.Window
	ren           *sdl.Renderer
	tiles         []*sceneTile
	local, status *sdl.Texture
	localSize     image.Point
	localYUV      bool
	statusSize    image.Point
	statusText    string
	statusDirty   bool
}

// sceneTile is a peer's tile as textures: its picture and its label.
type sceneTile struct {
	id         string
	tex        *sdl.Texture
	size       image.Point
	yuv        bool
	label      *sdl.Texture
	labelText  string
	labelSize  image.Point
	labelScale int32 // the output's pixels a point when the label was drawn
}

func (t *sceneTile) destroy() {
	for _, tex := range []*sdl.Texture{t.tex, t.label} {
		if tex != nil {
			tex.Destroy()
		}
	}
	t.tex, t.label = nil, nil
}

func (s *scene) destroy() {
	for _, t := range s.tiles {
		t.destroy()
	}
	for _, t := range []*sdl.Texture{s.local, s.status} {
		if t != nil {
			t.Destroy()
		}
	}
}

// setTiles brings the tiles' textures to what the callers set: tiles gone
// are freed, new pictures uploaded.
func (s *scene) setTiles(tiles []tile) {
	old := s.tiles
	s.tiles = make([]*sceneTile, 0, len(tiles))
	for _, t := range tiles {
		var st *sceneTile
		for i, o := range old {
			if o != nil && o.id == t.id {
				st, old[i] = o, nil
				break
			}
		}
		if st == nil {
			st = &sceneTile{id: t.id}
		} else if t.fresh {
			st.destroy() // removed and added again: what it showed is gone
		}
		switch {
		case t.imgSet && t.img == nil:
			if st.tex != nil {
				st.tex.Destroy()
			}
			st.tex, st.size = nil, image.Point{}
		case t.imgSet:
			st.tex, st.size, st.yuv = s.upload(st.tex, st.size, st.yuv, t.img)
		}
		if t.label != st.labelText {
			st.labelText = t.label
			if st.label != nil {
				st.label.Destroy()
				st.label = nil
			}
		}
		s.tiles = append(s.tiles, st)
	}
	for _, o := range old {
		if o != nil {
			o.destroy()
		}
	}
}

func (s *scene) setLocal(img image.Image) {
	if img == nil {
		if s.local != nil {
			s.local.Destroy()
		}
		s.local, s.localSize = nil, image.Point{}
		return
	}
	s.local, s.localSize, s.localYUV = s.upload(s.local, s.localSize, s.localYUV, img)
}

// upload puts img into tex, making a new texture when its size or kind
// changed. 4:2:0 pictures go as they are (the graphics card, or SDL, turns
// them into RGB as it scales); others as RGBA.
func (s *scene) upload(tex *sdl.Texture, size image.Point, yuv bool, img image.Image) (*sdl.Texture, image.Point, bool) {
	b := img.Bounds()
	ycc, isYUV := img.(*image.YCbCr)
	isYUV = isYUV && ycc.SubsampleRatio == image.YCbCrSubsampleRatio420 && b.Min == (image.Point{}) && b.Dx()%2 == 0 && b.Dy()%2 == 0
	if tex == nil || size != b.Size() || yuv != isYUV {
		if tex != nil {
			tex.Destroy()
		}
		format := uint32(sdl.PIXELFORMAT_RGBA32) // R, G, B, A bytes in memory
		if isYUV {
			format = sdl.PIXELFORMAT_IYUV
		}
		var err error
		tex, err = s.ren.CreateTexture(format, sdl.TEXTUREACCESS_STREAMING, int32(b.Dx()), int32(b.Dy()))
		if err != nil {
			return nil, image.Point{}, false
		}
		size, yuv = b.Size(), isYUV
	}
	if isYUV {
		tex.UpdateYUV(nil, ycc.Y, ycc.YStride, ycc.Cb, ycc.CStride, ycc.Cr, ycc.CStride)
		return tex, size, yuv
	}
	rgba, ok := img.(*image.RGBA)
	if !ok || b.Min != (image.Point{}) {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		picture.Scale(rgba, rgba.Rect, img)
	}
	tex.Update(nil, unsafe.Pointer(&rgba.Pix[0]), rgba.Stride)
	return tex, size, yuv
}

func (s *scene) setStatus(text string) {
	if text == s.statusText && s.status != nil {
		return
	}
	s.statusText = text
	s.statusDirty = true
}

// draw lays the scene out in the window's current size and presents it.
func (s *scene) draw() {
	ren := s.ren
	ow, oh, err := ren.GetOutputSize()
	if err != nil {
		return
	}
	// On a high-DPI screen the output has more pixels than the window has
	// points: the status line scales along.
	scale := int32(1)
	if ww, _ := s.win.GetSize(); ww > 0 {
		scale = max(ow/ww, 1)
	}
	statusH := statusHeight * scale
	video := image.Rect(0, 0, int(ow), int(oh-statusH))

	ren.SetDrawColor(0, 0, 0, 255)
	ren.Clear()
	s.drawTiles(video, scale)
	if s.local != nil {
		// A quarter of the width, in the bottom right corner, framed.
		margin := max(video.Dx()/64, 4)
		box := image.Rect(0, 0, video.Dx()/4, video.Dy()/4)
		r := picture.Fit(s.localSize.X, s.localSize.Y, box)
		r = r.Sub(r.Min).Add(image.Pt(video.Max.X-margin-r.Dx(), video.Max.Y-margin-r.Dy()))
		ren.SetDrawColor(200, 200, 200, 255)
		ren.FillRect(sdlRect(r.Inset(-2)))
		ren.Copy(s.local, nil, sdlRect(r))
	}
	ren.SetDrawColor(24, 24, 24, 255)
	ren.FillRect(&sdl.Rect{X: 0, Y: oh - statusH, W: ow, H: statusH})
	if s.statusDirty {
		s.renderStatus(int(ow / scale))
	}
	if s.status != nil {
		w, h := int32(s.statusSize.X)*scale, int32(s.statusSize.Y)*scale
		ren.Copy(s.status, nil, &sdl.Rect{X: 6 * scale, Y: oh - statusH + (statusH-h)/2, W: w, H: h})
	}
	ren.Present()
}

// tileGap is the black between two tiles, in points.
const tileGap = 2

// drawTiles draws the peers' pictures in video: one alone fills it, as in
// a call with one peer; several share it in a grid, each tile labelled.
func (s *scene) drawTiles(video image.Rectangle, scale int32) {
	if len(s.tiles) == 0 {
		return
	}
	aspect := image.Pt(4, 3)
	for _, t := range s.tiles {
		if t.tex != nil {
			aspect = t.size
			break
		}
	}
	cells := picture.Grid(len(s.tiles), aspect.X, aspect.Y, video)
	ren := s.ren
	for i, t := range s.tiles {
		if i >= len(cells) {
			break
		}
		box := cells[i]
		if len(cells) > 1 {
			box = box.Inset(int(tileGap * scale))
		}
		r := box
		if t.tex != nil {
			r = picture.Fit(t.size.X, t.size.Y, box)
			ren.Copy(t.tex, nil, sdlRect(r))
		} else if len(cells) > 1 {
			// A peer without video: its tile is there, and its name.
			ren.SetDrawColor(tileEmpty.R, tileEmpty.G, tileEmpty.B, 255)
			ren.FillRect(sdlRect(r))
		}
		if len(cells) > 1 && t.labelText != "" {
			s.drawLabel(t, r, scale)
		}
	}
}

// Colours of the tiles.
var (
	tileEmpty      = color.RGBA{40, 40, 40, 255}    // a tile with no picture
	labelBackdrop  = color.RGBA{24, 24, 24, 255}    // behind a tile's label
	labelForeColor = color.RGBA{230, 230, 230, 255} // a tile's label
)

// drawLabel draws t's label in the bottom left corner of its picture, r.
func (s *scene) drawLabel(t *sceneTile, r image.Rectangle, scale int32) {
	if t.label == nil || t.labelScale != scale {
		if t.label != nil {
			t.label.Destroy()
		}
		t.label, t.labelSize = s.text(t.labelText, r.Dx()/int(scale)-2*labelPad, labelBackdrop, labelForeColor)
		t.labelScale = scale
	}
	if t.label == nil {
		return
	}
	w, h := int32(t.labelSize.X)*scale, int32(t.labelSize.Y)*scale
	s.ren.Copy(t.label, nil, &sdl.Rect{X: int32(r.Min.X), Y: int32(r.Max.Y) - h, W: w, H: h})
}

// labelPad is the space around a label's text, in points.
const labelPad = 3

// textPicture draws text with Go's built-in bitmap font (no font files to
// find on the system) on a band of bg, pad points around it, cut at
// maxWidth; nil if nothing fits.
func textPicture(text string, maxWidth, pad int, bg, fg color.RGBA) *image.RGBA {
	face := basicfont.Face7x13
	width := min(font.MeasureString(face, text).Ceil(), maxWidth)
	if width <= 0 {
		return nil
	}
	img := image.NewRGBA(image.Rect(0, 0, width+2*pad, 13+2*pad))
	draw.Draw(img, img.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.NewUniform(fg), Face: face, Dot: fixed.P(pad, pad+10)}
	d.DrawString(text)
	return img
}

// text makes a texture of text as textPicture draws it with labelPad.
func (s *scene) text(text string, maxWidth int, bg, fg color.RGBA) (*sdl.Texture, image.Point) {
	img := textPicture(text, maxWidth, labelPad, bg, fg)
	if img == nil {
		return nil, image.Point{}
	}
	tex, err := s.ren.CreateTexture(uint32(sdl.PIXELFORMAT_RGBA32), sdl.TEXTUREACCESS_STATIC, int32(img.Rect.Dx()), int32(img.Rect.Dy()))
	if err != nil {
		return nil, image.Point{}
	}
	tex.Update(nil, unsafe.Pointer(&img.Pix[0]), img.Stride)
	return tex, img.Rect.Size()
}

// renderStatus draws the status text into its texture.
func (s *scene) renderStatus(maxWidth int) {
	s.statusDirty = false
	if s.status != nil {
		s.status.Destroy()
		s.status = nil
	}
	img := textPicture(s.statusText, maxWidth-12, 0, color.RGBA{24, 24, 24, 255}, color.RGBA{230, 230, 230, 255})
	if img == nil {
		return
	}
	tex, err := s.ren.CreateTexture(uint32(sdl.PIXELFORMAT_RGBA32), sdl.TEXTUREACCESS_STATIC, int32(img.Rect.Dx()), 13)
	if err != nil {
		return
	}
	tex.Update(nil, unsafe.Pointer(&img.Pix[0]), img.Stride)
	s.status, s.statusSize = tex, img.Rect.Size()
}

func sdlRect(r image.Rectangle) *sdl.Rect {
	return &sdl.Rect{X: int32(r.Min.X), Y: int32(r.Min.Y), W: int32(r.Dx()), H: int32(r.Dy())}
}
