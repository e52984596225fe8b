package termview

import (
	"bytes"
	"image"
	"image/color"
	"io"
	"strconv"
	"strings"

	"github.com/pigeon-call/pigeon/render/picture"
)

// Block is a few rows at the end of what a program printed on a terminal,
// drawn again in place: a code for the peer's camera on the left (a QR
// code, or the parts of a long one in turn), what this side's camera sees
// on its right, and a status line under them. It is for the time before a
// call, while the codes are exchanged: a View takes the screen only once
// the peer's video comes. Nothing else may be printed on the terminal
// between two drawings, or the next one lands on it.
type Block struct {
	out  io.Writer
	rows int // rows of the last drawing, the cursor on the row under them
	buf  bytes.Buffer
}

// NewBlock returns a Block that draws on out, from the cursor's row down.
func NewBlock(out io.Writer) *Block { return &Block{out: out} }

// BlockFrame is what one drawing of a Block shows.
type BlockFrame struct {
	Cols int // the terminal's width

	// Code holds rows drawn as they are, such as a QR code in half blocks
	// with its own colours, each CodeWidth columns wide.
	Code      []string
	CodeWidth int

	// Picture, if not nil, is drawn right of the code in half blocks,
	// fitted in the code's rows (PictureRows rows when there is no code),
	// with Outline (points in Picture's coordinates) drawn over it.
	Picture      image.Image
	PictureRows  int
	Outline      []image.Point
	OutlineColor color.RGBA

	Status string
}

// gap is the columns between the code and the picture.
const gap = 2

// Draw draws f over the last drawing.
func (b *Block) Draw(f BlockFrame) error {
	buf := &b.buf
	buf.Reset()
	if b.rows > 0 {
		buf.WriteString("\r\x1b[" + strconv.Itoa(b.rows) + "A")
	}
	rows := len(f.Code)
	if rows == 0 && f.Picture != nil {
		rows = f.PictureRows
	}
	// A row one column short of the width: a full one would wrap on some
	// terminals, and the block would no longer be where it is thought.
	left := 0
	if len(f.Code) > 0 {
		left = f.CodeWidth + gap
	}
	var px *image.RGBA
	if picCols := f.Cols - 1 - left; f.Picture != nil && picCols >= 8 && rows > 0 {
		px = halfBlockPicture(f, picCols, rows)
	}
	for row := range rows {
		buf.WriteString("\x1b[2K")
		if row < len(f.Code) {
			buf.WriteString(f.Code[row])
			buf.WriteString("\x1b[0m")
			buf.WriteString(strings.Repeat(" ", gap))
		} else if left > 0 {
			buf.WriteString(strings.Repeat(" ", left))
		}
		if px != nil {
			writeCells(buf, px, row)
		}
		buf.WriteString("\x1b[0m\n")
	}
	buf.WriteString("\x1b[2K")
	buf.WriteString(truncate(f.Status, max(f.Cols-1, 0)))
	buf.WriteString("\n")
	b.rows = rows + 1
	_, err := b.out.Write(buf.Bytes())
	return err
}

// Erase takes the last drawing off the screen, and leaves the cursor where
// it began.
func (b *Block) Erase() error {
	if b.rows == 0 {
		return nil
	}
	_, err := io.WriteString(b.out, "\r\x1b["+strconv.Itoa(b.rows)+"A\x1b[J")
	b.rows = 0
	return err
}

// halfBlockPicture lays f's picture out in cols × rows cells, two pixels a
// cell, fitted and on black, with the outline over it.
func halfBlockPicture(f BlockFrame, cols, rows int) *image.RGBA {
	b := f.Picture.Bounds()
	// A cell is about twice as high as wide: a pixel of the half-block
	// picture is square. The picture goes left, next to the code, and is
	// centred up and down.
	r := picture.Fit(b.Dx(), b.Dy(), image.Rect(0, 0, cols, 2*rows))
	r = r.Sub(image.Pt(r.Min.X, 0))
	px := image.NewRGBA(image.Rect(0, 0, r.Dx(), 2*rows))
	picture.Scale(px, r, f.Picture)
	if len(f.Outline) > 1 {
		pts := make([]image.Point, len(f.Outline))
		for i, p := range f.Outline {
			pts[i] = picture.MapPoint(p, b, r)
		}
		picture.Polygon(px, pts, f.OutlineColor, 1)
	}
	return px
}

// writeCells writes one row of half-block cells of px.
func writeCells(buf *bytes.Buffer, px *image.RGBA, row int) {
	top := px.Pix[2*row*px.Stride:]
	bottom := px.Pix[(2*row+1)*px.Stride:]
	var pen cell
	for col := range px.Rect.Dx() {
		c := cell{
			top:    [3]uint8{top[4*col], top[4*col+1], top[4*col+2]},
			bottom: [3]uint8{bottom[4*col], bottom[4*col+1], bottom[4*col+2]},
		}
		if col == 0 || c.top != pen.top {
			writeSGR(buf, 38, c.top)
		}
		if col == 0 || c.bottom != pen.bottom {
			writeSGR(buf, 48, c.bottom)
		}
		pen = c
		buf.WriteString("▀")
	}
}
