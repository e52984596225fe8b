package cmd

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/picture"
	"github.com/pigeon-call/pigeon/render/termview"
	"github.com/pigeon-call/pigeon/scan"
)

// partPeriod is how long each part of a long code is shown before the next.
const partPeriod = time.Second

// previewRows is the height of the camera's preview in the terminal when
// no code is shown beside it.
const previewRows = 16

// codeShow shows this side's code for as long as the peer may need it: on
// the terminal, with the camera's preview and a status line beside it
// while the peer's code is scanned; in the window, beside the preview; and
// in the --qr-png file. A long code's parts are shown in turn. Its
// goroutine stops with stop.
type codeShow struct {
	parts  []string   // the texts of the QR codes: one, or the parts of a long code
	rows   [][]string // each part's QR code in half blocks, for the terminal
	width  int        // columns of those
	images []image.Image
	block  *termview.Block // nil for no terminal
	cols   func() int
	out    *render.Output // the window, or nil
	pngOut string         // the --qr-png file that shows the parts in turn; "" for none
	begun  time.Time

	mu      sync.Mutex
	preview image.Image // what the camera sees, for the terminal; nil for none
	live    bool        // a scan is on: the window is drawn with the camera's frames
	outline []image.Point
	colour  color.RGBA
	status  string

	quit chan struct{}
	wg   sync.WaitGroup
}

// newCodeShow prepares the showing of parts: on the terminal when block is
// not nil, as QR codes drawn in style, and in the window when out has one.
func newCodeShow(parts []string, block *termview.Block, cols func() int, style offline.QRStyle, out *render.Output) (*codeShow, error) {
	c := &codeShow{parts: parts, block: block, cols: cols, quit: make(chan struct{})}
	if block != nil {
		for _, p := range parts {
			rows, width, err := qrRows(p, style)
			if err != nil {
				return nil, err
			}
			c.rows, c.width = append(c.rows, rows), max(c.width, width)
		}
	}
	if out != nil && out.Window() {
		c.out = out
		for _, p := range parts {
			var b bytes.Buffer
			if err := offline.WriteQRPNG(&b, p, 1); err != nil {
				return nil, err
			}
			img, err := scan.ReadImage(&b)
			if err != nil {
				return nil, err
			}
			c.images = append(c.images, img)
		}
	}
	return c, nil
}

// part returns the index of the part to show now.
func (c *codeShow) part() int {
	if len(c.parts) == 0 {
		return 0
	}
	return int(time.Since(c.begun)/partPeriod) % len(c.parts)
}

// codeImage returns the QR code to show in the window now, or nil.
func (c *codeShow) codeImage() image.Image {
	if c == nil || len(c.images) == 0 {
		return nil
	}
	return c.images[c.part()]
}

// start begins showing: again each partPeriod, or more often with a
// preview in the terminal.
func (c *codeShow) start() {
	c.begun = time.Now()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		shown, lastDraw := -1, time.Time{}
		for {
			part := c.part()
			if c.pngOut != "" && part != shown && len(c.parts) > 1 {
				// Errors were seen when the files were first written.
				writeQRPNGFile(c.pngOut, c.parts[part])
			}
			c.mu.Lock()
			preview, live, status := c.preview != nil, c.live, c.status
			c.mu.Unlock()
			if c.block != nil && (part != shown || preview || time.Since(lastDraw) >= partPeriod) {
				c.draw(part)
				lastDraw = time.Now()
			}
			if c.out != nil && !live && part != shown {
				c.out.ShowPreview(render.PreviewFrame{Code: c.images[part]})
				c.out.SetStatus(status)
			}
			shown = part
			select {
			case <-c.quit:
				return
			case <-tick.C:
			}
		}
	}()
}

// draw draws the terminal's block once, with the given part of the code.
func (c *codeShow) draw(part int) {
	c.mu.Lock()
	f := termview.BlockFrame{Cols: c.cols(), Picture: c.preview, PictureRows: previewRows,
		Outline: c.outline, OutlineColor: c.colour, Status: c.status}
	c.mu.Unlock()
	if len(c.rows) > 0 {
		f.Code, f.CodeWidth = c.rows[part], c.width
	}
	c.block.Draw(f)
}

// set changes what is shown beside the code: the status, and for the
// terminal, the camera's preview.
func (c *codeShow) set(preview image.Image, outline []image.Point, colour color.RGBA, status string) {
	c.mu.Lock()
	c.preview, c.outline, c.colour, c.status = preview, outline, colour, status
	c.mu.Unlock()
}

// scanning says whether a scan draws the window, with the camera's frames.
func (c *codeShow) scanning(on bool) {
	c.mu.Lock()
	c.live = on
	c.mu.Unlock()
}

// stop stops the showing. The terminal's block is erased, or left with the
// code's first part, no preview and the last status, for a person to read
// again, and what comes next goes under it; the window's preview goes.
func (c *codeShow) stop(erase bool) {
	select {
	case <-c.quit:
		return
	default:
	}
	close(c.quit)
	c.wg.Wait()
	if c.out != nil {
		c.out.EndPreview()
		c.out.SetStatus("")
	}
	if c.block == nil {
		return
	}
	if erase {
		c.block.Erase()
		return
	}
	c.mu.Lock()
	c.preview, c.outline = nil, nil
	c.mu.Unlock()
	c.draw(0)
}

// ansiEscape matches the colour escapes of a QR code's rows.
var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// qrRows returns the rows of text's QR code as WriteQRStyle draws it, and
// their width in columns.
func qrRows(text string, style offline.QRStyle) ([]string, int, error) {
	var b bytes.Buffer
	if err := offline.WriteQRStyle(&b, text, style); err != nil {
		return nil, 0, err
	}
	rows := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	return rows, utf8.RuneCountInString(ansiEscape.ReplaceAllString(rows[0], "")), nil
}

// writeQRFiles writes the QR codes of a long code's parts to numbered files
// beside path (offer.png: offer-1.png, offer-2.png...) and returns their
// names.
func writeQRFiles(path string, parts []string) ([]string, error) {
	ext := filepath.Ext(path)
	var names []string
	for i, p := range parts {
		name := fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), i+1, ext)
		if err := writeQRPNGFile(name, p); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// writeQRPNGFile writes the QR code of text to path, whole at once: a
// program watching the file never sees half a picture. The picture is
// made under a name of its own, which no one else can have made first
// (mode 0600), and then takes the place of whatever path was, a link
// included.
func writeQRPNGFile(path, text string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if err := writeQRPNG(f, text); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// scanCode reads the peer's code of the wanted kind from the camera: the
// call's own when it sends the camera's or a picture's video, or else the
// camera opened for this alone, and released once the code is read. What
// the camera sees is shown in the window (beside this side's code), or in
// the terminal beside this side's code; with neither, status lines say how
// the scan goes.
func (s *signalIO) scanCode(ctx context.Context, want offline.Kind) (offline.Signal, error) {
	reader, release, err := s.scanSource()
	if err != nil {
		return offline.Signal{}, err
	}
	defer release()

	io := s.opts.IO
	show := s.shown
	if show == nil && io.ErrTTY {
		// Nothing of this side's is shown (the callee's scan comes first):
		// a block of its own, for the preview and the status.
		show, _ = newCodeShow(nil, termview.NewBlock(io.ErrOut), s.cols, offline.QRStyle{}, nil)
		show.start()
		defer show.stop(true)
	}
	onTerminal := show != nil && show.block != nil
	terminalPreview := onTerminal && chooseView(s.opts) == render.ViewTerminal
	window := s.out != nil && s.out.Window()
	if window {
		if show != nil {
			show.scanning(true)
			defer show.scanning(false)
		}
		defer func() { s.out.EndPreview(); s.out.SetStatus("") }()
	}

	var (
		mu   sync.Mutex
		line = scanLine(want, scan.Status{})
	)
	say := func(text string) {
		if window {
			s.out.SetStatus(text)
		}
		if onTerminal {
			return // the block's status line says it
		}
		fmt.Fprintf(io.ErrOut, "pigeon: %s\n", text)
	}
	say(line)
	onFrame := func(img image.Image, st scan.Status) {
		outline, colour := outlineOf(st)
		if window {
			s.out.ShowPreview(render.PreviewFrame{Code: show.codeImage(), Picture: img, Outline: outline, Color: colour})
		}
		if show != nil {
			var preview image.Image
			if terminalPreview {
				// The terminal has room for a small picture only.
				preview = picture.Thumbnail(img, 160, 120)
				outline = scaleOutline(outline, img.Bounds(), preview.Bounds())
			}
			mu.Lock()
			text := line
			mu.Unlock()
			show.set(preview, outline, colour, text)
		}
	}
	onStatus := func(st scan.Status) {
		text := scanLine(want, st)
		mu.Lock()
		changed := text != line
		line = text
		mu.Unlock()
		if changed {
			say(text)
		}
	}
	var sig offline.Signal
	err = withContext(ctx, func() error {
		var err error
		sig, err = scan.Watch(ctx, reader, scan.NewScanner(want, 0), onFrame, onStatus)
		return err
	})
	if err != nil {
		return offline.Signal{}, fmt.Errorf("scanning the %s: %w", want, err)
	}
	return sig, nil
}

// scanSource returns the frames to scan and what releases them: the call's
// video when it comes from the camera, a picture or a file, the camera
// otherwise.
func (s *signalIO) scanSource() (scan.FrameReader, func(), error) {
	_, picture := capture.ImagePath(s.opts.Video)
	_, file := capture.VideoFile(s.opts.Video)
	if s.media != nil && s.media.Video() != nil && (s.opts.Video == capture.Camera || picture || file) {
		if frames, ok := s.media.VideoFrames(); ok {
			return frames, func() {}, nil
		}
	}
	copts, err := s.opts.captureOptions(capture.Devices())
	if err != nil {
		return nil, nil, err
	}
	copts.Video, copts.Audio = capture.Camera, capture.None
	m, err := capture.Open(copts)
	if err != nil {
		return nil, nil, &scanCameraError{err}
	}
	frames, ok := m.VideoFrames()
	if !ok {
		m.Close()
		return nil, nil, fmt.Errorf("%w: the camera gives no video", capture.ErrDeviceFailed)
	}
	return frames, func() { m.Close() }, nil
}

// scanCameraError is a camera that --scan could not open. It says what to
// do instead of scanning, and is a device failure (exit code 3).
type scanCameraError struct{ err error }

func (e *scanCameraError) Error() string {
	return fmt.Sprintf("opening a camera to scan the peer's code: %v: leave out --scan and paste the code, or scan a picture of it with --scan-image FILE", e.err)
}

// Unwrap makes the error a device failure, and no longer a missing camera,
// whose message says how to call without one.
func (e *scanCameraError) Unwrap() error { return capture.ErrDeviceFailed }

// cols returns the terminal's width, for the block.
func (s *signalIO) cols() int {
	if s.opts.IO.TerminalSize != nil {
		cols, _ := s.opts.IO.TerminalSize()
		return cols
	}
	return 80
}

// scanLine says, for the person holding the code, how the scan goes.
func scanLine(want offline.Kind, st scan.Status) string {
	switch {
	case st.Done:
		return fmt.Sprintf("read the peer's %s from the camera", want)
	case st.Hint != "":
		return st.Hint
	case st.Count > 0:
		return fmt.Sprintf("read %d of the %d QR codes of the peer's %s: keep them in view", st.Have, st.Count, want)
	}
	return fmt.Sprintf("scanning: hold the peer's %s QR code up to the camera", want)
}

// outlineOf returns where the code of st is, and its colour: read or only
// seen.
func outlineOf(st scan.Status) ([]image.Point, color.RGBA) {
	if st.Symbol != nil {
		return scan.Corners(st.Symbol.Outline), render.OutlineRead
	}
	return scan.Corners(st.Seen), render.OutlineSeen
}

func scaleOutline(pts []image.Point, from, to image.Rectangle) []image.Point {
	out := make([]image.Point, len(pts))
	for i, p := range pts {
		out[i] = picture.MapPoint(p, from, to)
	}
	return out
}
