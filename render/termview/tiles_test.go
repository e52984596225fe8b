package termview

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/term"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render/picture"
)

// peers are three peers' pictures, each of one colour, and their names.
var peers = []struct {
	name string
	img  *image.YCbCr
}{
	{"ann", mediatest.SolidYCbCr(320, 240, 81, 90, 240)},  // red
	{"bob", mediatest.SolidYCbCr(320, 240, 145, 54, 34)},  // green
	{"cat", mediatest.SolidYCbCr(320, 240, 41, 240, 110)}, // blue
}

func rgbOf(img *image.YCbCr) [3]uint8 {
	r, g, b := picture.RGB(img.Y[0], img.Cb[0], img.Cr[0])
	return [3]uint8{r, g, b}
}

// tileAt is the tile a peer's picture and label take in a terminal of
// cols x rows less reserve rows and the status, n tiles in all: its
// picture's cells, and its label's row.
func tileAt(cols, rows, reserve, n, i int) (pic image.Rectangle, labelRow int) {
	cells := picture.Grid(n, 8, 3, image.Rect(0, 0, cols, rows-reserve-1))
	c := cells[i]
	px := picture.Fit(4, 3, image.Rect(c.Min.X, 2*c.Min.Y, c.Max.X-1, 2*(c.Max.Y-1)))
	return image.Rect(px.Min.X, (px.Min.Y+1)/2, px.Max.X, px.Max.Y/2), c.Max.Y - 1
}

// checkTiles checks that each named peer's tile on screen shows its
// colour, over its name.
func checkTiles(t *testing.T, screen [][][3]uint8, text []string, cols, rows, reserve int, names ...string) {
	t.Helper()
	for i, name := range names {
		var colour [3]uint8
		for _, p := range peers {
			if p.name == name {
				colour = rgbOf(p.img)
			}
		}
		pic, labelRow := tileAt(cols, rows, reserve, len(names), i)
		if pic.Dx() < 4 || pic.Dy() < 2 {
			t.Fatalf("%s's tile %v is too small to look at", name, pic)
		}
		for _, p := range []image.Point{pic.Min, {pic.Max.X - 1, pic.Min.Y}, {pic.Min.X, pic.Max.Y - 1}, pic.Max.Sub(image.Pt(1, 1)),
			{(pic.Min.X + pic.Max.X) / 2, (pic.Min.Y + pic.Max.Y) / 2}} {
			if got := screen[p.Y][p.X]; !close3(got, colour, 12) {
				t.Errorf("%s's tile %v: the cell at %v is %v, want %v", name, pic, p, got, colour)
			}
		}
		if got := string([]rune(text[labelRow])[pic.Min.X:][:len(name)]); got != name {
			t.Errorf("under %s's tile, row %d reads %q", name, labelRow, text[labelRow])
		}
	}
}

// TestDrawShowsPeersInTiles draws three peers' pictures in a terminal:
// each in its tile of a grid, its name under it.
func TestDrawShowsPeersInTiles(t *testing.T) {
	var buf bytes.Buffer
	var s Screen
	var tiles []Tile
	for _, p := range peers {
		tiles = append(tiles, Tile{Picture: p.img, Label: p.name})
	}
	s.Draw(&buf, Frame{Cols: 100, Rows: 40, Reserve: 4, Tiles: tiles, Status: "3 peers"})
	term := newVT(t, 100, 40)
	write(t, term, buf.String())
	checkTiles(t, term.Top, term.Text, 100, 40, 4, "ann", "bob", "cat")
	// The third, centred under the two.
	first, _ := tileAt(100, 40, 4, 3, 0)
	third, _ := tileAt(100, 40, 4, 3, 2)
	if third.Min.Y <= first.Max.Y || third.Min.X <= first.Min.X {
		t.Errorf("the third tile %v is not under the first two (the first: %v)", third, first)
	}
	if got := strings.TrimSpace(term.Text[35]); got != "3 peers" {
		t.Errorf("status row %q", got)
	}

	// Bob gone: the two others side by side; the cells that change are
	// sent, and the labels too.
	buf.Reset()
	s.Draw(&buf, Frame{Cols: 100, Rows: 40, Reserve: 4, Tiles: []Tile{tiles[0], tiles[2]}, Status: "3 peers"})
	write(t, term, buf.String())
	checkTiles(t, term.Top, term.Text, 100, 40, 4, "ann", "cat")
	for row, line := range term.Text[:35] {
		if strings.Contains(line, "bob") {
			t.Errorf("row %d still says bob: %q", row, line)
		}
	}
}

// TestLabelsMoveNothing: what a peer calls itself cannot move the cursor
// or take more cells than its characters: controls, marks and wide
// characters are shown as '?'.
func TestLabelsMoveNothing(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ann", "ann"},
		{"a\x1b[2Jb", "a?[2Jb"},
		{"x\u202ey", "x?y"},
		{"e\u0301", "e?"},
		{"李", "?"},
		{"\u009b31m", "?31m"},
		{"a long name indeed", "a long"},
	} {
		if got := string(labelRunes(tt.in, 6)); got != tt.want {
			t.Errorf("labelRunes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestViewTakesATileAway: a peer's tile goes when it is removed, and one
// left alone fills the screen with no label.
func TestViewTakesATileAway(t *testing.T) {
	var out syncBuffer
	v := New(Options{Out: &out, Size: func() (int, int) { return 60, 30 }, Reserve: 4, MaxFPS: 100})
	for _, p := range peers[:2] {
		v.SetLabel(p.name, p.name)
		v.ShowPeer(p.name, p.img)
	}
	waitScreen(t, &out, 60, 30, func(term [][][3]uint8, text []string) bool {
		_, annRow := tileAt(60, 30, 4, 2, 0)
		_, bobRow := tileAt(60, 30, 4, 2, 1)
		return strings.Contains(text[annRow], "ann") && strings.Contains(text[bobRow], "bob")
	})
	v.RemovePeer("bob")
	waitScreen(t, &out, 60, 30, func(term [][][3]uint8, text []string) bool {
		// Ann alone: the middle and the right of the screen are hers.
		red := rgbOf(peers[0].img)
		return close3(term[12][30], red, 12) && close3(term[12][40], red, 12) && !strings.Contains(strings.Join(text, ""), "bob")
	})
	v.Close()
}

// waitScreen replays what the view wrote until the screen satisfies ok.
func waitScreen(t *testing.T, out *syncBuffer, cols, rows int, ok func(top [][][3]uint8, text []string) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		term := newVT(t, cols, rows)
		write(t, term, out.String())
		if ok(term.Top, term.Text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed what was wanted:\n%s", strings.Join(term.Text, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTmuxShowsTiles runs a view with three peers in tmux and reads its
// screen back with capture-pane.
func TestTmuxShowsTiles(t *testing.T) {
	if os.Getenv("PIGEON_TERMVIEW_TILES") != "" {
		runTilesChild()
		return
	}
	if testing.Short() {
		t.Skip("starts tmux")
	}
	tmux := drawInTmux(t, "PIGEON_TERMVIEW_TILES", "TestTmuxShowsTiles", 40)
	lines := strings.Split(tmux("capture-pane", "-p", "-e"), "\n")
	text := strings.Split(tmux("capture-pane", "-p"), "\n")
	if len(lines) < 40 || len(text) < 40 {
		t.Fatalf("capture-pane gave %d lines", len(lines))
	}
	// What tmux shows, cell by cell: each ▀'s colour, and the text.
	var screen [][][3]uint8
	for _, line := range lines[:40] {
		row := make([][3]uint8, 100)
		cellColours(line, row)
		screen = append(screen, row)
	}
	checkTiles(t, screen, text, 100, 40, 4, "ann", "bob", "cat")
	if t.Failed() {
		t.Logf("the pane:\n%s", strings.Join(text, "\n"))
	}
}

// cellColours fills row with the foreground colour of the ▀ in each cell
// of a captured line; other cells stay black.
func cellColours(line string, row [][3]uint8) {
	var fg [3]uint8
	col := 0
	for len(line) > 0 && col < len(row) {
		if strings.HasPrefix(line, "\x1b[") {
			end := strings.IndexByte(line, 'm')
			if end < 0 {
				return
			}
			p := strings.Split(line[2:end], ";")
			for i := 0; i+4 < len(p); i++ {
				if p[i] == "38" && p[i+1] == "2" {
					var c [3]uint8
					for k := range 3 {
						var v int
						fmt.Sscan(p[i+2+k], &v)
						c[k] = uint8(v)
					}
					fg = c
				}
			}
			line = line[end+1:]
			continue
		}
		r := []rune(line)[0]
		if r == '▀' {
			row[col] = fg
		}
		col++
		line = line[len(string(r)):]
	}
}

// runTilesChild is the program that the tmux test runs in its pane.
func runTilesChild() {
	cols, rows, err := term.GetSize(int(os.Stdout.Fd()))
	if err != nil {
		fmt.Println("not a terminal:", err)
		return
	}
	drawn := newPictureWriter(os.Stdout, "3 peers", peers[0].name, peers[1].name, peers[2].name)
	v := New(Options{Out: drawn, Size: func() (int, int) { return cols, rows }, Reserve: 4})
	v.SetStatus("3 peers")
	for _, p := range peers {
		v.SetLabel(p.name, p.name)
		v.ShowPeer(p.name, p.img)
	}
	drawn.waitDrawn()
	os.WriteFile(os.Getenv("PIGEON_TERMVIEW_TILES"), nil, 0o644)
	waitKilled()
	v.Close()
}
