package mediatest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Terminal is just enough of a terminal emulator to replay what pigeon's
// terminal view writes, and look at the screen it leaves: cursor moves,
// 24-bit colours, half blocks, the scrolling region, erasing.
type Terminal struct {
	Cols, Rows int
	// Top and Bottom hold, per row and column, the colours of a half-block
	// cell's upper and lower pixel (the foreground and background of ▀).
	Top, Bottom [][][3]uint8
	// Text holds each row's characters.
	Text []string
	// Row and Col are the cursor's position, from 1.
	Row, Col int
	// RegionTop and RegionBottom are the scrolling region's rows, from 1.
	RegionTop, RegionBottom int

	savedRow, savedCol int
	fg, bg             [3]uint8
}

// NewTerminal returns a blank cols x rows terminal.
func NewTerminal(cols, rows int) *Terminal {
	t := &Terminal{Cols: cols, Rows: rows, RegionTop: 1, RegionBottom: rows, Row: 1, Col: 1}
	for range rows {
		t.Top = append(t.Top, make([][3]uint8, cols))
		t.Bottom = append(t.Bottom, make([][3]uint8, cols))
		t.Text = append(t.Text, strings.Repeat(" ", cols))
	}
	return t
}

var escRE = regexp.MustCompile(`^\x1b(\[([?0-9;]*)([A-Za-z])|7|8)`)

// Write replays s; it fails on an escape sequence it does not know.
func (t *Terminal) Write(s string) error {
	for len(s) > 0 {
		if m := escRE.FindStringSubmatch(s); m != nil {
			s = s[len(m[0]):]
			switch m[1] {
			case "7":
				t.savedRow, t.savedCol = t.Row, t.Col
			case "8":
				t.Row, t.Col = t.savedRow, t.savedCol
			default:
				if err := t.csi(m[2], m[3]); err != nil {
					return err
				}
			}
			continue
		}
		r := []rune(s)[0]
		s = s[len(string(r)):]
		switch r {
		case '\r':
			t.Col = 1
		case '\n':
			if t.Row == t.RegionBottom {
				t.scroll()
			} else if t.Row < t.Rows {
				t.Row++
			}
		case '▀':
			t.Top[t.Row-1][t.Col-1], t.Bottom[t.Row-1][t.Col-1] = t.fg, t.bg
			t.put(r)
		default:
			t.put(r)
		}
	}
	return nil
}

// scroll moves the scrolling region's rows up by one.
func (t *Terminal) scroll() {
	top, bottom := t.RegionTop-1, t.RegionBottom-1
	copy(t.Text[top:bottom], t.Text[top+1:bottom+1])
	copy(t.Top[top:bottom], t.Top[top+1:bottom+1])
	copy(t.Bottom[top:bottom], t.Bottom[top+1:bottom+1])
	t.Text[bottom] = strings.Repeat(" ", t.Cols)
	t.Top[bottom] = make([][3]uint8, t.Cols)
	t.Bottom[bottom] = make([][3]uint8, t.Cols)
}

func (t *Terminal) put(r rune) {
	line := []rune(t.Text[t.Row-1])
	line[t.Col-1] = r
	t.Text[t.Row-1] = string(line)
	if t.Col < t.Cols {
		t.Col++
	}
}

func (t *Terminal) csi(params, final string) error {
	var n []int
	for _, p := range strings.Split(params, ";") {
		x, _ := strconv.Atoi(strings.TrimPrefix(p, "?"))
		n = append(n, x)
	}
	switch final {
	case "H":
		t.Row, t.Col = max(n[0], 1), 1
		if len(n) > 1 {
			t.Col = max(n[1], 1)
		}
	case "m":
		if len(n) == 5 && n[1] == 2 {
			c := [3]uint8{uint8(n[2]), uint8(n[3]), uint8(n[4])}
			if n[0] == 38 {
				t.fg = c
			} else {
				t.bg = c
			}
		}
	case "r":
		if params == "" {
			t.RegionTop, t.RegionBottom = 1, t.Rows
		} else {
			t.RegionTop, t.RegionBottom = n[0], n[1]
		}
		t.Row, t.Col = 1, 1
	case "A":
		t.Row = max(t.Row-max(n[0], 1), 1)
	case "K":
		t.clearRow(t.Row - 1)
	case "J":
		from := t.Row - 1 // 0 or none: from the cursor's row down
		if n[0] == 2 {
			from = 0
		}
		for r := from; r < t.Rows; r++ {
			t.clearRow(r)
		}
	case "h", "l":
	default:
		return fmt.Errorf("unexpected escape sequence CSI %s%s", params, final)
	}
	return nil
}

func (t *Terminal) clearRow(r int) {
	t.Text[r] = strings.Repeat(" ", t.Cols)
	clear(t.Top[r])
	clear(t.Bottom[r])
}
