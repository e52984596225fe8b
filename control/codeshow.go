package control

import (
	"bytes"
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

	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/render"
	"github.com/pigeon-call/pigeon/render/termview"
	"github.com/pigeon-call/pigeon/scan"
)

// qrModulePixels is the size of a QR code's module in the PNG pictures of
// a code: a version 4 code (33 modules and the quiet zone) makes a
// picture of 328 pixels, sharp on any screen a phone photographs.
const qrModulePixels = 8

// PartPeriod is how long each part of a long code is shown before the
// next.
const PartPeriod = time.Second

// previewRows is the height of the camera's preview in the terminal when
// no code is shown beside it.
const previewRows = 16

// ShowOptions say where a CodeShow shows a code; each is optional.
type ShowOptions struct {
	// Terminal is the block of the terminal the QR codes are drawn in,
	// in Style, at most Cols() columns wide.
	Terminal *termview.Block
	Cols     func() int
	Style    offline.QRStyle
	// Window is the output whose window shows the QR code, beside the
	// camera's preview; one with no window shows nothing.
	Window *render.Output
	// PNG is a file that shows each part in turn.
	PNG string
}

// CodeShow shows this side's code for as long as the peer may need it: on
// the terminal, with the camera's preview and a status line beside it
// while the peer's code is scanned; in the window, beside the preview; and
// in a PNG file. A long code's parts are shown in turn. Its goroutine
// stops with Stop.
type CodeShow struct {
	parts  []string   // the texts of the QR codes: one, or the parts of a long code
	rows   [][]string // each part's QR code in half blocks, for the terminal
	width  int        // columns of those
	images []image.Image
	block  *termview.Block // nil for no terminal
	cols   func() int
	out    *render.Output // the window, or nil
	pngOut string         // the file that shows the parts in turn; "" for none
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

// NewCodeShow prepares the showing of parts where opts say.
func NewCodeShow(parts []string, opts ShowOptions) (*CodeShow, error) {
	c := &CodeShow{parts: parts, block: opts.Terminal, cols: opts.Cols, pngOut: opts.PNG, quit: make(chan struct{})}
	if c.cols == nil {
		c.cols = func() int { return 80 }
	}
	if c.block != nil {
		for _, p := range parts {
			rows, width, err := qrRows(p, opts.Style)
			if err != nil {
				return nil, err
			}
			c.rows, c.width = append(c.rows, rows), max(c.width, width)
		}
	}
	if out := opts.Window; out != nil && out.Window() {
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

// OnTerminal reports whether the code is shown on the terminal, whose
// block then has the status line.
func (c *CodeShow) OnTerminal() bool { return c != nil && c.block != nil }

// part returns the index of the part to show now.
func (c *CodeShow) part() int {
	if len(c.parts) == 0 {
		return 0
	}
	return int(time.Since(c.begun)/PartPeriod) % len(c.parts)
}

// CodeImage returns the QR code to show in the window now, or nil.
func (c *CodeShow) CodeImage() image.Image {
	if c == nil || len(c.images) == 0 {
		return nil
	}
	return c.images[c.part()]
}

// Start begins showing: again each PartPeriod, or more often with a
// preview in the terminal.
func (c *CodeShow) Start() {
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
				// An error was said when the files were first written.
				WriteQRPNGFile(c.pngOut, c.parts[part])
			}
			c.mu.Lock()
			preview, live, status := c.preview != nil, c.live, c.status
			c.mu.Unlock()
			if c.block != nil && (part != shown || preview || time.Since(lastDraw) >= PartPeriod) {
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
func (c *CodeShow) draw(part int) {
	c.mu.Lock()
	f := termview.BlockFrame{Cols: c.cols(), Picture: c.preview, PictureRows: previewRows,
		Outline: c.outline, OutlineColor: c.colour, Status: c.status}
	c.mu.Unlock()
	if len(c.rows) > 0 {
		f.Code, f.CodeWidth = c.rows[part], c.width
	}
	c.block.Draw(f)
}

// Set changes what is shown beside the code: the status, and for the
// terminal, the camera's preview with the outline of what it sees.
func (c *CodeShow) Set(preview image.Image, outline []image.Point, colour color.RGBA, status string) {
	c.mu.Lock()
	c.preview, c.outline, c.colour, c.status = preview, outline, colour, status
	c.mu.Unlock()
}

// Scanning says whether a scan draws the window, with the camera's frames.
func (c *CodeShow) Scanning(on bool) {
	c.mu.Lock()
	c.live = on
	c.mu.Unlock()
}

// Stop stops the showing. The terminal's block is erased, or left with the
// code's first part, no preview and the last status, for a person to read
// again, and what comes next goes under it; the window's preview goes.
func (c *CodeShow) Stop(erase bool) {
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

// WriteQRFiles writes the QR codes of a long code's parts to numbered
// files beside path (offer.png: offer-1.png, offer-2.png...) and returns
// their names.
func WriteQRFiles(path string, parts []string) ([]string, error) {
	ext := filepath.Ext(path)
	var names []string
	for i, p := range parts {
		name := fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), i+1, ext)
		if err := WriteQRPNGFile(name, p); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// WriteQRPNGFile writes the QR code of text to path, whole at once: a
// program watching the file never sees half a picture. The picture is
// made under a name of its own, which no one else can have made first
// (mode 0600), and then takes the place of whatever path was, a link
// included.
func WriteQRPNGFile(path, text string) error {
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

// writeQRPNG writes the QR code of text to f, and closes it.
func writeQRPNG(f *os.File, text string) error {
	err := offline.WriteQRPNG(f, text, qrModulePixels)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
