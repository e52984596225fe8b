package offline

import (
	"bytes"
	"errors"
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
			want, err := qrcode.New(tt.text, qrcode.Medium)
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
	want, err := qrcode.New(text, qrcode.Medium)
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
