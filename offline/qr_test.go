package offline

import (
	"bytes"
	"errors"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"
)

// ansiEscape matches the SGR sequences WriteQR may use.
var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// quietZone is the light border, in modules, that QR codes need on each side.
const quietZone = 4

func TestWriteQR(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"short text", "pg1o.abc"},
		{"data channel offer", mustEncode(t, Offer, offerData)},
		{"minimal answer", mustEncode(t, Answer, answerMinimal)},
		{"full offer", mustEncode(t, Offer, offerFull)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := WriteQR(&out, tt.text); err != nil {
				t.Fatalf("WriteQR: %v", err)
			}
			want, err := qrcode.New(QRText(tt.text), qrcode.Medium)
			if err != nil {
				t.Fatal(err)
			}
			modules := 17 + 4*want.VersionNumber + 2*quietZone
			t.Logf("%d characters: QR version %d, %d columns × %d rows", len(tt.text), want.VersionNumber, modules, (modules+1)/2)

			rows := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(rows) != (modules+1)/2 {
				t.Fatalf("%d rows, want %d for version %d", len(rows), (modules+1)/2, want.VersionNumber)
			}
			for i, row := range rows {
				if !strings.HasPrefix(row, qrColours) || !strings.HasSuffix(row, qrReset) {
					t.Fatalf("row %d does not set its colours and reset them: %q", i, row)
				}
				cells := []rune(ansiEscape.ReplaceAllString(row, ""))
				if len(cells) != modules {
					t.Fatalf("row %d is %d cells wide, want %d", i, len(cells), modules)
				}
				if j := strings.IndexFunc(string(cells), func(r rune) bool { return !strings.ContainsRune(" ▀▄█", r) }); j >= 0 {
					t.Fatalf("row %d holds %q, want only half blocks, full blocks and spaces", i, string(cells)[j:])
				}
			}
		})
	}
}

func TestWriteQRMatchesModules(t *testing.T) {
	// Read the drawing back into modules and compare them with the ones
	// go-qrcode computes for the same text at the same level: every module,
	// quiet zone included (its bitmap has it), must be drawn where it belongs.
	text := mustEncode(t, Offer, offerMinimal)
	var out bytes.Buffer
	if err := WriteQR(&out, text); err != nil {
		t.Fatalf("WriteQR: %v", err)
	}
	want, err := qrcode.New(QRText(text), qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	wantBits := want.Bitmap()

	var got [][]bool
	for row := range strings.Lines(out.String()) {
		var top, bottom []bool
		for _, r := range ansiEscape.ReplaceAllString(strings.TrimSuffix(row, "\n"), "") {
			top = append(top, r == '▀' || r == '█')
			bottom = append(bottom, r == '▄' || r == '█')
		}
		got = append(got, top, bottom)
	}
	// The last row of cells has a bottom half that is no module: it must be
	// light, as an extra line of quiet zone.
	if len(got) == len(wantBits)+1 {
		for x, dark := range got[len(got)-1] {
			if dark {
				t.Fatalf("padding below the code is dark at column %d", x)
			}
		}
		got = got[:len(got)-1]
	}

	if len(got) != len(wantBits) {
		t.Fatalf("drawing holds %d rows of modules, want %d", len(got), len(wantBits))
	}
	var dark int
	for y := range wantBits {
		if len(got[y]) != len(wantBits[y]) {
			t.Fatalf("row %d holds %d modules, want %d", y, len(got[y]), len(wantBits[y]))
		}
		for x := range wantBits[y] {
			if got[y][x] != wantBits[y][x] {
				t.Fatalf("module (%d, %d) is drawn dark=%v, want %v", x, y, got[y][x], wantBits[y][x])
			}
			if got[y][x] {
				dark++
			}
		}
	}
	t.Logf("%d of %d modules dark", dark, len(wantBits)*len(wantBits))
}

func TestWriteQRErrors(t *testing.T) {
	t.Run("too long", func(t *testing.T) {
		var out bytes.Buffer
		if err := WriteQR(&out, strings.Repeat("x", 3000)); err == nil {
			t.Fatal("WriteQR of 3000 characters succeeded, want an error")
		}
		if out.Len() != 0 {
			t.Errorf("WriteQR wrote %d bytes before failing", out.Len())
		}
	})
	t.Run("writer fails", func(t *testing.T) {
		errFull := errors.New("disk full")
		if err := WriteQR(failingWriter{errFull}, "pg1o.abc"); !errors.Is(err, errFull) {
			t.Fatalf("WriteQR = %v, want %v", err, errFull)
		}
	})
}

// failingWriter is a writer that always fails with err.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriteQRStyles(t *testing.T) {
	// Read each drawing back into modules: dark where the picture is dark,
	// once the cell's ink and background colours are known.
	code := mustCompact(t, Offer, pigeonOffer)
	want, err := qrcode.New(QRText(code), qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	wantBits := want.Bitmap()
	tests := []struct {
		name      string
		style     QRStyle
		escape    string
		inkIsDark bool // whether the glyphs' ink is what the viewer sees as dark
		negative  bool // whether the picture is light-on-dark
	}{
		{"colours", QRStyle{}, qrColours, true, false},
		{"colours inverted", QRStyle{Invert: true}, qrInvertedColours, false, true},
		{"no colour, light text on dark", QRStyle{NoColor: true}, "", false, false},
		{"no colour, dark text on light", QRStyle{NoColor: true, Invert: true}, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := WriteQRStyle(&out, code, tt.style); err != nil {
				t.Fatal(err)
			}
			if tt.escape == "" && strings.Contains(out.String(), "\x1b") {
				t.Fatal("escape sequences in a drawing without colour")
			}
			if tt.escape != "" && !strings.HasPrefix(out.String(), tt.escape) {
				t.Fatalf("drawing starts %q, want %q", out.String()[:12], tt.escape)
			}
			var got [][]bool
			for row := range strings.Lines(out.String()) {
				var top, bottom []bool
				for _, r := range ansiEscape.ReplaceAllString(strings.TrimSuffix(row, "\n"), "") {
					topInk, bottomInk := r == '▀' || r == '█', r == '▄' || r == '█'
					top = append(top, topInk == tt.inkIsDark != tt.negative)
					bottom = append(bottom, bottomInk == tt.inkIsDark != tt.negative)
				}
				got = append(got, top, bottom)
			}
			got = got[:len(wantBits)] // the padding row below an odd code
			for y := range wantBits {
				for x := range wantBits[y] {
					if got[y][x] != wantBits[y][x] {
						t.Fatalf("module (%d, %d) shows dark=%v, want %v", x, y, got[y][x], wantBits[y][x])
					}
				}
			}
		})
	}
}

func TestWriteQRPNG(t *testing.T) {
	code := mustCompact(t, Offer, pigeonOffer)
	var out bytes.Buffer
	if err := WriteQRPNG(&out, code, 8); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&out)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	// Version 4: 33 modules and 4 of quiet zone on each side, 8 pixels each.
	if b := img.Bounds(); b.Dx() != (33+8)*8 || b.Dy() != b.Dx() {
		t.Errorf("picture of %v, want %d pixels square", b, (33+8)*8)
	}
	if r, _, _, _ := img.At(0, 0).RGBA(); r != 0xffff {
		t.Error("the quiet zone is not white")
	}
	if err := WriteQRPNG(&out, strings.Repeat("x", 3000), 8); err == nil {
		t.Error("WriteQRPNG of 3000 characters succeeded")
	}
}

func TestMeasure(t *testing.T) {
	for _, tt := range []struct {
		text      string
		chars, qr int
	}{
		{mustCompact(t, Offer, pigeonOffer), 80, 4},
		{"héllo", 5, 1},
		{strings.Repeat("x", 3000), 3000, 0},
	} {
		if chars, qr := Measure(tt.text); chars != tt.chars || qr != tt.qr {
			t.Errorf("Measure(%.20q) = %d, %d; want %d, %d", tt.text, chars, qr, tt.chars, tt.qr)
		}
	}
	if n := PayloadSize("hello"); n != 0 {
		t.Errorf("PayloadSize of no code = %d", n)
	}
	if n := PayloadSize(pigeonOffer); n != len(strings.TrimSpace(pigeonOffer)) {
		t.Errorf("PayloadSize of raw SDP = %d", n)
	}
}
