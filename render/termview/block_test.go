package termview

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

func TestBlockDrawsInPlace(t *testing.T) {
	term := mediatest.NewTerminal(60, 20)
	var out bytes.Buffer
	b := NewBlock(&out)
	flush := func() {
		t.Helper()
		// The terminal's driver turns each newline into a carriage
		// return and a newline.
		if err := term.Write(strings.ReplaceAll(out.String(), "\n", "\r\n")); err != nil {
			t.Fatal(err)
		}
		out.Reset()
	}
	term.Write("pigeon: sending a picture\r\n")

	// A camera frame: white, with a black square in the middle.
	frame := image.NewGray(image.Rect(0, 0, 80, 60))
	for i := range frame.Pix {
		frame.Pix[i] = 255
	}
	for y := 20; y < 40; y++ {
		for x := 30; x < 50; x++ {
			frame.Pix[y*frame.Stride+x] = 0
		}
	}
	green := color.RGBA{0, 255, 0, 255}
	code := []string{"AAAA", "BBBB", "CCCC"}
	for i, status := range []string{"looking for the answer's code", "1 of 3 parts read", "2 of 3 parts read"} {
		if i == 2 {
			code = []string{"DDDD", "EEEE", "FFFF"} // the next part of a cycle
		}
		if err := b.Draw(BlockFrame{Cols: 60, Code: code, CodeWidth: 4, Picture: frame,
			Outline: []image.Point{{30, 20}, {50, 20}, {50, 40}, {30, 40}}, OutlineColor: green, Status: status}); err != nil {
			t.Fatal(err)
		}
		flush()
	}
	// The text printed before stays; the block is drawn once under it,
	// with its last status.
	want := []string{"pigeon: sending a picture", "DDDD", "EEEE", "FFFF", "2 of 3 parts read"}
	for i, w := range want {
		if got := strings.TrimRight(strings.TrimRight(term.Text[i], " "), "▀"); !strings.HasPrefix(got, w) {
			t.Errorf("row %d = %q, want %q", i+1, term.Text[i], w)
		}
	}
	if strings.TrimSpace(term.Text[len(want)]) != "" || term.Row != len(want)+1 {
		t.Errorf("cursor at row %d, under %q", term.Row, term.Text[len(want)])
	}
	// The picture, right of the code: 6 pixels high, 8 wide. Its middle
	// is the black square, its corner white, and the outline green.
	col := 4 + gap
	if got := term.Top[1][col]; got != [3]uint8{255, 255, 255} {
		t.Errorf("picture's corner %v, want white", got)
	}
	if got := term.Bottom[2][col+4]; got != [3]uint8{0, 0, 0} && got != [3]uint8{0, 255, 0} {
		t.Errorf("picture's middle %v, want black", got)
	}
	found := false
	for row := 1; row <= 3; row++ {
		for c := col; c < col+8; c++ {
			if term.Top[row][c] == [3]uint8{0, 255, 0} || term.Bottom[row][c] == [3]uint8{0, 255, 0} {
				found = true
			}
		}
	}
	if !found {
		t.Error("no outline drawn")
	}

	if err := b.Erase(); err != nil {
		t.Fatal(err)
	}
	flush()
	if strings.TrimSpace(term.Text[1]) != "" || term.Row != 2 {
		t.Errorf("after Erase: row 2 %q, cursor at row %d", term.Text[1], term.Row)
	}
}

func TestBlockWithoutCodeOrRoom(t *testing.T) {
	var out bytes.Buffer
	b := NewBlock(&out)
	// Too narrow for a picture beside the code: the code and the status.
	b.Draw(BlockFrame{Cols: 12, Code: []string{"AAAA"}, CodeWidth: 4, Picture: image.NewGray(image.Rect(0, 0, 4, 3)), Status: "a status far too long for the terminal"})
	if s := out.String(); strings.Contains(s, "▀") || !strings.Contains(s, "a status fa\n") {
		t.Errorf("narrow terminal: %q", s)
	}
	// No code: the picture takes PictureRows rows.
	out.Reset()
	b = NewBlock(&out)
	b.Draw(BlockFrame{Cols: 40, Picture: image.NewGray(image.Rect(0, 0, 40, 30)), PictureRows: 5})
	if n := strings.Count(out.String(), "\n"); n != 6 {
		t.Errorf("%d rows, want 5 of picture and a status", n)
	}
}
