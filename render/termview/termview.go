// Package termview draws video in a terminal: true-colour half blocks, two
// pixels to a character cell, above a few rows left for the caller's text.
//
// The picture takes the top of the screen and a status row sits under it.
// A call with several peers shows each in a tile of its own, a grid that
// fits the screen, each tile's picture over a row with its peer's name.
// The rows below the status are a scrolling region of their own, so lines
// that the caller prints there (chat, status messages) scroll there without
// disturbing the picture. Each frame is drawn with the cursor saved and
// restored around it, in one write, and only the cells that changed are sent.
package termview

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"github.com/pigeon-call/pigeon/render/picture"
)

// Defaults of Options.
const (
	DefaultMaxFPS  = 15 // what an SSH session takes without falling behind
	DefaultReserve = 4
)

// Options configure a View.
type Options struct {
	// Out is the terminal. The View writes to it from its own goroutine, one
	// whole frame per Write.
	Out io.Writer
	// Size reports the terminal's size in character cells; it is asked
	// before each frame, so a resized terminal is redrawn to fit.
	Size func() (cols, rows int)
	// Reserve is how many rows at the bottom are left to the caller.
	Reserve int
	// MaxFPS bounds how often the picture is redrawn.
	MaxFPS float64
}

// View draws the latest remote picture, with the self-view in a corner.
type View struct {
	opts Options

	mu          sync.Mutex
	tiles       []*tile // the peers' pictures, in the order they came
	local       image.Image
	status      string
	dirty       bool
	closed      bool
	wake        chan struct{}
	done        chan struct{}
	stopped     chan struct{}
	frames      int // frames drawn, for tests
	lastWritten int // bytes in the last frame, for tests and benchmarks

	// Owned by the drawing goroutine.
	screen Screen
}

// tile is one peer's picture and name.
type tile struct {
	id, label string
	img       image.Image
	// The view's copies of pictures in *image.YCbCr, which the decoder
	// reuses: ShowPeer writes pending, the drawing goroutine draws (and
	// redraws) the other.
	pending, drawn *image.YCbCr
}

// New starts a view. The terminal is left alone until the first picture:
// until then the caller may still be printing the call's codes.
func New(opts Options) *View {
	if opts.MaxFPS <= 0 {
		opts.MaxFPS = DefaultMaxFPS
	}
	if opts.Reserve <= 0 {
		opts.Reserve = DefaultReserve
	}
	v := &View{
		opts:    opts,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go v.run()
	return v
}

// ShowRemote makes img the picture to draw next, in a call with one peer
// (the tile of the peer ""); nil takes it away. An *image.YCbCr, which is
// what the VP8 decoder gives, is copied, since the decoder reuses it; the
// View keeps any other img: its owner must not change it after.
func (v *View) ShowRemote(img image.Image) {
	if img == nil {
		v.RemovePeer("")
		return
	}
	v.ShowPeer("", img)
}

// ShowPeer makes img the picture in the tile of the peer id, under the
// same rule as ShowRemote; a new id gets a tile after the others. nil
// leaves the tile there, with its name: a peer with no video.
func (v *View) ShowPeer(id string, img image.Image) {
	v.mu.Lock()
	t := v.tile(id)
	if ycc, ok := img.(*image.YCbCr); ok {
		t.pending = picture.CopyYCbCr(t.pending, ycc)
		img = t.pending
	}
	t.img, v.dirty = img, true
	v.mu.Unlock()
	v.poke()
}

// SetLabel sets the name shown under the tile of the peer id, when the
// view shows more than one; a new id gets a tile after the others.
func (v *View) SetLabel(id, label string) {
	v.mu.Lock()
	v.tile(id).label, v.dirty = label, true
	v.mu.Unlock()
	v.poke()
}

// RemovePeer takes the tile of the peer id away: the others share the
// screen.
func (v *View) RemovePeer(id string) {
	v.mu.Lock()
	v.tiles = slices.DeleteFunc(v.tiles, func(t *tile) bool { return t.id == id })
	v.dirty = true
	v.mu.Unlock()
	v.poke()
}

// tile returns the tile of id, made if there is none; v.mu is held.
func (v *View) tile(id string) *tile {
	for _, t := range v.tiles {
		if t.id == id {
			return t
		}
	}
	t := &tile{id: id}
	v.tiles = append(v.tiles, t)
	return t
}

// ShowLocal sets the self-view picture (nil hides it); the same rule as
// ShowRemote holds.
func (v *View) ShowLocal(img image.Image) {
	v.mu.Lock()
	v.local, v.dirty = img, true
	v.mu.Unlock()
	v.poke()
}

// SetStatus sets the line shown under the picture.
func (v *View) SetStatus(line string) {
	v.mu.Lock()
	if line != v.status {
		v.status, v.dirty = line, true
	}
	v.mu.Unlock()
	v.poke()
}

func (v *View) poke() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// Close stops drawing and gives the screen back: the scrolling region is
// reset and the picture erased, leaving the caller's lines where they are.
func (v *View) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	v.mu.Unlock()
	close(v.done)
	<-v.stopped
	var buf bytes.Buffer
	v.screen.Restore(&buf)
	if buf.Len() == 0 {
		return nil
	}
	_, err := v.opts.Out.Write(buf.Bytes())
	return err
}

func (v *View) run() {
	defer close(v.stopped)
	minGap := time.Duration(float64(time.Second) / v.opts.MaxFPS)
	// The terminal's size is checked at this pace even when no picture
	// comes.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var (
		last       time.Time
		status     string
		buf        bytes.Buffer
		tiles      []Tile
		local      image.Image
		haveRemote bool
	)
	for {
		select {
		case <-v.done:
			return
		case <-v.wake:
		case <-tick.C:
		}
		if wait := minGap - time.Since(last); wait > 0 {
			select {
			case <-v.done:
				return
			case <-time.After(wait):
			}
		}
		v.mu.Lock()
		changed := v.dirty
		if changed {
			local, status, v.dirty = v.local, v.status, false
			tiles = tiles[:0]
			for _, t := range v.tiles {
				if ycc, ok := t.img.(*image.YCbCr); ok && ycc == t.pending {
					// Drawn from now on, outside the lock: the next
					// copy goes to the one drawn until now.
					t.pending, t.drawn = t.drawn, t.pending
				}
				tiles = append(tiles, Tile{Picture: t.img, Label: t.label})
				haveRemote = haveRemote || t.img != nil
			}
		}
		v.mu.Unlock()
		if !haveRemote {
			continue // nothing to show yet: leave the terminal alone
		}
		cols, rows := v.opts.Size()
		if !changed && cols == v.screen.cols && rows == v.screen.rows {
			continue
		}
		buf.Reset()
		v.screen.Draw(&buf, Frame{Cols: cols, Rows: rows, Reserve: v.opts.Reserve, Tiles: tiles, Local: local, Status: status})
		if buf.Len() == 0 {
			continue
		}
		last = time.Now()
		if _, err := v.opts.Out.Write(buf.Bytes()); err != nil {
			return // the terminal is gone
		}
		v.mu.Lock()
		v.frames++
		v.lastWritten = buf.Len()
		v.mu.Unlock()
	}
}

// Frame is what one redraw shows.
type Frame struct {
	Cols, Rows int // the terminal's size
	Reserve    int // rows at the bottom left to the caller
	// Remote is the peer's picture, in a call with one peer; Tiles, when
	// set, are the peers' instead. One tile fills the screen as Remote
	// does; several share it in a grid, each over its label.
	Remote image.Image
	Tiles  []Tile
	Local  image.Image // the self-view, drawn small in the bottom right corner; may be nil
	Status string
}

// Tile is one peer's part of a Frame: its picture (nil for a peer without
// video) and the name under it.
type Tile struct {
	Picture image.Image
	Label   string
}

// Screen remembers what is on the terminal, so that each frame sends only
// what changed. The zero value is a screen that pigeon has not drawn on yet.
type Screen struct {
	cols, rows int // the terminal's size when the picture rows were laid out
	picRows    int // rows of picture; the status row is under them
	cells      []cell
	pixels     *image.RGBA
	status     string
	active     bool
}

// cell is one half-block character: the top pixel is the foreground colour
// of ▀, the bottom one the background; or, in a label, a character ch in
// the foreground colour top on the background bottom.
type cell struct {
	top, bottom [3]uint8
	ch          rune
}

// Colours of the tiles.
var (
	tileEmpty = [3]uint8{40, 40, 40}    // a tile with no picture
	labelFore = [3]uint8{230, 230, 230} // a tile's label
	labelBack = [3]uint8{24, 24, 24}    // behind it
)

// tolerance is how far a cell's colour may drift from what is on the screen
// before it is redrawn: camera noise then costs no bytes.
const tolerance = 6

// Draw appends to buf the escape sequences that bring the terminal from what
// it shows to f. It appends nothing when the terminal is too small for a
// picture.
func (s *Screen) Draw(buf *bytes.Buffer, f Frame) {
	picRows := f.Rows - f.Reserve - 1
	if f.Cols < 4 || picRows < 2 {
		return
	}
	full := false
	if !s.active || f.Cols != s.cols || f.Rows != s.rows {
		s.layOut(buf, f.Cols, f.Rows, picRows)
		full = true
	}

	// The pixels: remote picture fitted and centred, letterboxed in black,
	// or the tiles; the self-view a quarter of the width in the bottom
	// right corner.
	px := s.pixels
	clear(px.Pix)
	tiles := f.Tiles
	if tiles == nil && f.Remote != nil {
		tiles = []Tile{{Picture: f.Remote}}
	}
	labels := s.drawTiles(tiles)
	if f.Local != nil {
		b := f.Local.Bounds()
		corner := image.Rect(px.Rect.Max.X*3/4, px.Rect.Max.Y*3/4, px.Rect.Max.X, px.Rect.Max.Y)
		r := picture.Fit(b.Dx(), b.Dy(), corner.Inset(1))
		r = r.Add(image.Pt(corner.Max.X-1-r.Max.X, corner.Max.Y-1-r.Max.Y)) // into the very corner
		picture.Scale(px, r, f.Local)
	}

	buf.WriteString("\x1b7\x1b[?25l") // save the cursor, hide it while drawing
	var (
		pen    cell
		penSet bool
		curRow = -1
		curCol = -1
	)
	for row := range s.picRows {
		top := px.Pix[2*row*px.Stride:]
		bottom := px.Pix[(2*row+1)*px.Stride:]
		for col := range s.cols {
			c := cell{
				top:    [3]uint8{top[4*col], top[4*col+1], top[4*col+2]},
				bottom: [3]uint8{bottom[4*col], bottom[4*col+1], bottom[4*col+2]},
			}
			if labels != nil {
				if l, ok := labels[image.Pt(col, row)]; ok {
					c = cell{top: labelFore, bottom: labelBack, ch: l}
				}
			}
			old := &s.cells[row*s.cols+col]
			if !full && old.ch == c.ch && near(old.top, c.top) && near(old.bottom, c.bottom) {
				continue
			}
			*old = c
			if row != curRow || col != curCol {
				writeCUP(buf, row+1, col+1)
			}
			if !penSet || pen.top != c.top {
				writeSGR(buf, 38, c.top)
			}
			if !penSet || pen.bottom != c.bottom {
				writeSGR(buf, 48, c.bottom)
			}
			pen, penSet = c, true
			if c.ch != 0 {
				buf.WriteRune(c.ch)
			} else {
				buf.WriteString("▀")
			}
			curRow, curCol = row, col+1
		}
	}
	if full || f.Status != s.status {
		s.status = f.Status
		writeCUP(buf, s.picRows+1, 1)
		buf.WriteString("\x1b[0m\x1b[2K")
		buf.WriteString(truncate(f.Status, s.cols))
		penSet = false
	}
	buf.WriteString("\x1b[0m\x1b8\x1b[?25h") // restore the cursor where the caller had it
}

// drawTiles draws the tiles' pictures into the pixels, and returns the
// characters of their labels by cell. One tile fills the picture rows as
// the peer of a call with one peer does, with no label; several share them
// in a grid, each picture over a row that holds its label.
func (s *Screen) drawTiles(tiles []Tile) map[image.Point]rune {
	px := s.pixels
	if len(tiles) == 1 {
		if p := tiles[0].Picture; p != nil {
			b := p.Bounds()
			picture.Scale(px, picture.Fit(b.Dx(), b.Dy(), px.Rect), p)
		}
		return nil
	}
	aspect := image.Pt(4, 3)
	for _, t := range tiles {
		if t.Picture != nil {
			aspect = t.Picture.Bounds().Size()
			break
		}
	}
	// Laid out in cells, a cell being a pixel wide and two high.
	cells := picture.Grid(len(tiles), 2*aspect.X, aspect.Y, image.Rect(0, 0, s.cols, s.picRows))
	labels := map[image.Point]rune{}
	for i, t := range tiles {
		if i >= len(cells) {
			break
		}
		c := cells[i]
		if c.Dx() < 3 || c.Dy() < 2 {
			continue
		}
		// A column between tiles side by side; the label's row between
		// tiles one above the other.
		box := image.Rect(c.Min.X, 2*c.Min.Y, c.Max.X-1, 2*(c.Max.Y-1))
		r := box
		if t.Picture != nil {
			b := t.Picture.Bounds()
			r = picture.Fit(b.Dx(), b.Dy(), box)
			picture.Scale(px, r, t.Picture)
		} else {
			fill(px, r, tileEmpty)
		}
		col := r.Min.X
		for _, ch := range labelRunes(t.Label, r.Dx()) {
			labels[image.Pt(col, c.Max.Y-1)] = ch
			col++
		}
	}
	return labels
}

// labelRunes is what of a label the terminal shows, at most n cells: a
// character that is not printed one cell wide (a control, a mark, a wide
// one) is shown as '?', so that the label can move nothing on the screen.
func labelRunes(label string, n int) []rune {
	var out []rune
	for _, r := range label {
		if len(out) == n {
			break
		}
		switch k := width.LookupRune(r).Kind(); {
		case !unicode.IsPrint(r) || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf),
			k == width.EastAsianWide || k == width.EastAsianFullwidth:
			r = '?'
		}
		out = append(out, r)
	}
	return out
}

// fill paints r of px in c.
func fill(px *image.RGBA, r image.Rectangle, c [3]uint8) {
	r = r.Intersect(px.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := px.PixOffset(x, y)
			px.Pix[i], px.Pix[i+1], px.Pix[i+2], px.Pix[i+3] = c[0], c[1], c[2], 255
		}
	}
}

// layOut prepares the terminal for a picture of picRows rows: on the first
// frame the screen's text is scrolled away (into the scrollback), after a
// resize the screen is cleared; then the rows under the status become the
// caller's scrolling region, with the cursor at its bottom.
func (s *Screen) layOut(buf *bytes.Buffer, cols, rows, picRows int) {
	if !s.active {
		fmt.Fprintf(buf, "\x1b[%d;1H", rows)
		buf.WriteString(string(bytes.Repeat([]byte{'\n'}, rows)))
	} else {
		buf.WriteString("\x1b[r\x1b[2J")
	}
	fmt.Fprintf(buf, "\x1b[%d;%dr\x1b[%d;1H", picRows+2, rows, rows)
	s.active = true
	s.cols, s.rows, s.picRows = cols, rows, picRows
	s.cells = make([]cell, cols*picRows)
	s.pixels = image.NewRGBA(image.Rect(0, 0, cols, 2*picRows))
	s.status = ""
}

// Restore appends what gives the screen back to the caller: the whole
// screen scrolls again, the picture and status rows are erased, and the
// cursor is back where the caller had it.
func (s *Screen) Restore(buf *bytes.Buffer) {
	if !s.active {
		return
	}
	buf.WriteString("\x1b7\x1b[0m\x1b[r")
	for row := 1; row <= s.picRows+1; row++ {
		writeCUP(buf, row, 1)
		buf.WriteString("\x1b[2K")
	}
	buf.WriteString("\x1b8\x1b[?25h")
	s.active = false
}

func near(a, b [3]uint8) bool {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d > tolerance || d < -tolerance {
			return false
		}
	}
	return true
}

func writeCUP(buf *bytes.Buffer, row, col int) {
	var b [24]byte
	out := append(b[:0], "\x1b["...)
	out = strconv.AppendInt(out, int64(row), 10)
	out = append(out, ';')
	out = strconv.AppendInt(out, int64(col), 10)
	out = append(out, 'H')
	buf.Write(out)
}

// writeSGR sets the foreground (38) or background (48) to a 24-bit colour.
func writeSGR(buf *bytes.Buffer, which int, c [3]uint8) {
	var b [24]byte
	out := append(b[:0], "\x1b["...)
	out = strconv.AppendInt(out, int64(which), 10)
	out = append(out, ";2;"...)
	out = strconv.AppendInt(out, int64(c[0]), 10)
	out = append(out, ';')
	out = strconv.AppendInt(out, int64(c[1]), 10)
	out = append(out, ';')
	out = strconv.AppendInt(out, int64(c[2]), 10)
	out = append(out, 'm')
	buf.Write(out)
}

// truncate cuts s to at most n runes, and drops control characters that
// would move the cursor.
func truncate(s string, n int) string {
	out := make([]rune, 0, n)
	for _, r := range s {
		if len(out) == n {
			break
		}
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
