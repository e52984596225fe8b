package offline

import (
	"fmt"
	"image/color"
	"io"
	"strings"
	"unicode/utf8"

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
	// qrInvertedColours swaps the two, for QRStyle.Invert.
	qrInvertedColours = "\x1b[38;5;231;48;5;16m"
	// qrReset ends each row, so that the white background does not bleed
	// into the rest of the line when the terminal is resized.
	qrReset = "\x1b[0m"

	// qrLevel is the error-correction level of every QR code: M, enough to
	// survive a glare or a moiré on a photographed screen without making
	// the code much larger.
	qrLevel = qrcode.Medium
)

// halfBlocks draws two vertically stacked modules in one character cell,
// indexed by top<<1 | bottom, true being ink: the glyph is drawn in the
// foreground colour, the rest of the cell in the background colour.
var halfBlocks = [4]string{" ", "▄", "▀", "█"}

// QRStyle says how WriteQRStyle draws a QR code on a terminal.
type QRStyle struct {
	// NoColor draws in the terminal's own colours, with no escape
	// sequences, for a terminal that shows none (or a person who set
	// NO_COLOR). The light modules are then drawn as ink, which makes a
	// dark-on-light code on a terminal with light text on a dark
	// background, the most common kind.
	NoColor bool
	// Invert swaps light and dark: with NoColor, for a terminal with dark
	// text on a light background; with colours, a light-on-dark code, which
	// most phone cameras read as well, for a screen that glares in white.
	Invert bool
}

// WriteQR draws text as a QR code for a terminal, in explicit colours,
// dark on light: WriteQRStyle with the zero QRStyle.
func WriteQR(w io.Writer, text string) error {
	return WriteQRStyle(w, text, QRStyle{})
}

// WriteQRStyle draws text as a QR code for a terminal, with error-correction
// level M. A pigeon code is stored as the text of its QR form (see QRText)
// when that makes a smaller symbol.
//
// Each character cell holds two modules, one above the other, drawn with
// Unicode half blocks, so the code is about square in a terminal font and
// takes modules+8 columns (the 4-module quiet zone on each side is drawn
// too, since scanners need it) and half as many rows. Unless style.NoColor,
// colours are set with explicit ANSI escapes, so only write it to a
// terminal.
//
// It returns an error if text is too long for a QR code (over about 2300
// characters), and any error from w.
func WriteQRStyle(w io.Writer, text string, style QRStyle) error {
	code, err := qrcode.New(QRText(text), qrLevel)
	if err != nil {
		return fmt.Errorf("drawing a QR code of %d characters: %w", len(text), err)
	}
	modules := code.Bitmap() // quiet zone included

	// Which modules are drawn as ink: the dark ones in explicit colours
	// (black on white, or white on black to invert), the light ones in a
	// light-on-dark terminal's own colours, unless inverted.
	inkIsDark := !style.NoColor || style.Invert
	colours, reset := qrColours, qrReset
	switch {
	case style.NoColor:
		colours, reset = "", ""
	case style.Invert:
		colours = qrInvertedColours
	}

	// Built whole and written at once, so the code does not appear in
	// pieces or interleaved with other output.
	var b strings.Builder
	for y := 0; y < len(modules); y += 2 {
		b.WriteString(colours)
		for x, top := range modules[y] {
			// The last row of an odd-sized code has no module below it;
			// drawing light there just extends the quiet zone.
			bottom := y+1 < len(modules) && modules[y+1][x]
			b.WriteString(halfBlocks[cellIndex(top == inkIsDark, bottom == inkIsDark)])
		}
		b.WriteString(reset + "\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// WriteQRPNG writes text as a QR code in a PNG picture, black on white with
// the quiet zone, each module a square of moduleSize pixels: a picture for a
// person to send or print. Like WriteQRStyle, it stores a pigeon code as its
// QR form.
func WriteQRPNG(w io.Writer, text string, moduleSize int) error {
	code, err := qrcode.New(QRText(text), qrLevel)
	if err != nil {
		return fmt.Errorf("drawing a QR code of %d characters: %w", len(text), err)
	}
	code.ForegroundColor, code.BackgroundColor = color.Black, color.White
	// A negative size asks go-qrcode for that many pixels a module.
	png, err := code.PNG(-max(moduleSize, 1))
	if err != nil {
		return fmt.Errorf("drawing a QR code: %w", err)
	}
	_, err = w.Write(png)
	return err
}

// QRText returns the text a QR code of text holds: for a pigeon code, its
// QR form, the same code written in the characters of the QR code's
// alphanumeric mode behind a prefix in capitals ("PG4O.", then 3 characters
// for every 2 bytes), if that makes a symbol with fewer modules; text
// itself otherwise. Decode reads both forms.
func QRText(text string) string {
	alnum := qrText(text)
	if alnum == text || qrVersion(alnum) > qrVersion(text) {
		return text
	}
	return alnum
}

// qrVersion returns the version of the QR code of text at level M, or 41
// if it does not fit in one.
func qrVersion(text string) int {
	code, err := qrcode.New(text, qrLevel)
	if err != nil {
		return 41
	}
	return code.VersionNumber
}

// Measure returns the size of a signal's text as a person meets it: its
// length in characters, and the version of the QR code WriteQR draws for it
// (1 to 40, 0 if it fits none), which is 17+4×version modules wide.
func Measure(text string) (chars, qrVersion int) {
	chars = utf8.RuneCountInString(text)
	code, err := qrcode.New(QRText(text), qrLevel)
	if err != nil {
		return chars, 0
	}
	return chars, code.VersionNumber
}

// PayloadSize returns the size in bytes of what a signal's text carries:
// the binary payload of a pigeon code (compact or full), the JSON of base64
// JSON, or the text itself for raw SDP and raw JSON. It returns 0 for text
// that does not decode.
func PayloadSize(text string) int {
	s, err := Decode(text)
	if err != nil {
		return 0
	}
	switch s.Format {
	case FormatCompact, FormatFull, FormatJSON:
		cleaned := Clean(text)
		if s.Format == FormatJSON {
			payload, _, _, _ := decodeBase64(cleaned)
			return len(payload)
		}
		p, body, _ := parsePrefix(cleaned)
		if p.alnum {
			whole, _, _ := decodeAlnum(body)
			return len(whole)
		}
		payload, _, _, _ := decodeBase64(body)
		return len(payload)
	}
	return len(strings.TrimSpace(text))
}

// cellIndex returns the index into halfBlocks of a cell whose top and
// bottom modules are ink or not.
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
