package offline

import (
	"fmt"
	"io"
	"strings"

	"github.com/skip2/go-qrcode"
)

const (
	// qrColours sets dark modules to black (foreground, 256-colour index 16)
	// and light modules to white (background, index 231). Both sit in the
	// fixed 6×6×6 colour cube, which terminal themes leave alone, whereas the
	// 16 basic colours are often remapped: a "black" that a dark theme shows
	// as grey on grey makes a code no camera can read. Setting both colours
	// explicitly also keeps the code dark-on-light, as scanners expect, on
	// dark and light terminals alike.
	qrColours = "\x1b[38;5;16;48;5;231m"
	// qrReset ends each row, so that the white background does not bleed
	// into the rest of the line when the terminal is resized.
	qrReset = "\x1b[0m"
)

// halfBlocks draws two vertically stacked modules in one character cell,
// indexed by top<<1 | bottom, true being dark: the glyph is the foreground
// (black), the rest of the cell the background (white).
var halfBlocks = [4]string{" ", "▄", "▀", "█"}

// WriteQR draws text as a QR code for a terminal, with error-correction
// level M: enough to survive a glare or a moiré on a photographed screen
// without making the code much larger.
//
// Each character cell holds two modules, one above the other, drawn with
// Unicode half blocks, so the code is about square in a terminal font and
// takes modules+8 columns (the 4-module quiet zone on each side is drawn
// too, since scanners need it) and half as many rows. Colours are set with
// explicit ANSI escapes, so only write it to a terminal.
//
// It returns an error if text is too long for a QR code (over about 2300
// characters), and any error from w.
func WriteQR(w io.Writer, text string) error {
	code, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("drawing a QR code of %d characters: %w", len(text), err)
	}
	modules := code.Bitmap() // quiet zone included

	// Built whole and written at once, so the code does not appear in
	// pieces or interleaved with other output.
	var b strings.Builder
	for y := 0; y < len(modules); y += 2 {
		b.WriteString(qrColours)
		for x, top := range modules[y] {
			// The last row of an odd-sized code has no module below it;
			// drawing light there just extends the quiet zone.
			bottom := y+1 < len(modules) && modules[y+1][x]
			b.WriteString(halfBlocks[cellIndex(top, bottom)])
		}
		b.WriteString(qrReset + "\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// cellIndex returns the index into halfBlocks of a cell whose top and
// bottom modules are dark or not.
func cellIndex(top, bottom bool) int {
	i := 0
	if top {
		i |= 2
	}
	if bottom {
		i |= 1
	}
	return i
}
