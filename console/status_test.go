package console

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// rows are the screen's rows, each without trailing spaces.
func (s *screen) rows() []string {
	var rows []string
	for r := range s.cells {
		rows = append(rows, s.line(r))
	}
	return rows
}

// wantRows checks the screen's last rows, and the row the cursor is on,
// counted from the bottom (-1 is the last row).
func wantRows(t *testing.T, scr *screen, cursorRow int, want ...string) {
	t.Helper()
	rows := scr.rows()
	if got := rows[len(rows)-len(want):]; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the last rows are\n%q\nwant\n%q", got, want)
	}
	if r, _ := scr.cursor(); r != len(rows)+cursorRow {
		t.Errorf("the cursor is on row %d, want %d", r-len(rows), cursorRow)
	}
}

func TestStatusRowAboveTheLineBeingTyped(t *testing.T) {
	ty := newTyping(t, 40, 6)
	ty.typ("half a li" + left + left)
	ty.ed.SetStatus("sending a.bin: 10%")
	wantRows(t, ty.scr, -1, "", "", "sending a.bin: 10%", "> half a li")
	ty.bottom("> half a li", 2+7)

	// Replaced in place, as often as it changes: no row is added.
	for i := 11; i <= 60; i++ {
		ty.ed.SetStatus(fmt.Sprintf("sending a.bin: %d%%", i))
	}
	wantRows(t, ty.scr, -1, "", "", "sending a.bin: 60%", "> half a li")
	ty.bottom("> half a li", 2+7)

	// Chat lines go above the status row; the line being typed stays last.
	peer := ty.ed.Above(ty.scr)
	fmt.Fprintf(peer, "15:04 alice: hi there\n")
	fmt.Fprintf(peer, "15:05 alice: still ")
	fmt.Fprintf(peer, "there?\n")
	wantRows(t, ty.scr, -1, "", "15:04 alice: hi there", "15:05 alice: still there?", "sending a.bin: 60%", "> half a li")
	ty.bottom("> half a li", 2+7)
	ty.typ(end + "ne")
	ty.bottom("> half a line", 2+11)
	if got := ty.scr.line(-2); got != "sending a.bin: 60%" {
		t.Errorf("the status row is %q after typing, want it kept", got)
	}

	// Cleared: the row goes, and the line takes its place.
	ty.ed.SetStatus("")
	wantRows(t, ty.scr, -2, "15:05 alice: still there?", "> half a line", "")
	for _, row := range ty.scr.rows() {
		if strings.Contains(row, "sending") {
			t.Errorf("the status is still on the screen after it was cleared: %q", row)
		}
	}
	fmt.Fprintf(peer, "15:06 alice: bye\n")
	wantRows(t, ty.scr, -1, "15:05 alice: still there?", "15:06 alice: bye", "> half a line")
	ty.typ("\r")
	if got := ty.line(); got != "half a line" {
		t.Errorf("ReadLine = %q, want the line as typed around the status", got)
	}
}

func TestStatusFitsOneRow(t *testing.T) {
	ty := newTyping(t, 20, 4)
	ty.ed.SetStatus("two\nlines, \x1b[31mred\x1b[0m and far too long for the row")
	ty.typ("")
	// 19 columns: the last stays empty, so the terminal never wraps.
	wantRows(t, ty.scr, -1, "", "", `two lines, \x1b[31m`, ">")
	ty.ed.SetStatus("日本語日本語日本語日本語")
	wantRows(t, ty.scr, -1, "", "", "日本語日本語日本語", ">")
}

func TestStatusAfterTheLine(t *testing.T) {
	ty := newTyping(t, 40, 4)
	ty.typ("x")
	ty.ed.SetStatus("receiving b.bin: 5%")
	ty.send(backspace + ctrlD)
	if err := ty.end(); !errors.Is(err, io.EOF) {
		t.Fatalf("ReadLine ended with %v, want io.EOF", err)
	}
	// The prompt is gone; the status stays, alone, on its row.
	wantRows(t, ty.scr, -2, "", "", "receiving b.bin: 5%", "")
	ty.ed.SetStatus("receiving b.bin: 6%")
	wantRows(t, ty.scr, -2, "", "", "receiving b.bin: 6%", "")
	ty.ed.Close()
	wantRows(t, ty.scr, -2, "", "", "", "")
	ty.ed.SetStatus("receiving b.bin: 7%")
	fmt.Fprintln(ty.ed.Above(ty.scr), "bye")
	wantRows(t, ty.scr, -1, "", "", "bye", "")
}

func TestStatusWithoutAnEditor(t *testing.T) {
	scr := newScreen(40, 4)
	scr.row = 3
	st := NewStatus(scr, func() int { return 40 })
	out := st.Above(scr)
	fmt.Fprintln(out, "pigeon: connected")
	wantRows(t, scr, -1, "", "", "pigeon: connected", "")

	st.Set("sending a.bin: 10%")
	wantRows(t, scr, -1, "", "", "pigeon: connected", "sending a.bin: 10%")
	if _, col := scr.cursor(); col != 0 {
		t.Errorf("the cursor is in column %d, want it at the start of the status line", col)
	}
	st.Set("sending a.bin: 20%")
	wantRows(t, scr, -1, "", "", "pigeon: connected", "sending a.bin: 20%")
	fmt.Fprintln(out, "15:04 bob: hi")
	wantRows(t, scr, -1, "", "pigeon: connected", "15:04 bob: hi", "sending a.bin: 20%")

	// Cleared: the row is empty, for what comes next.
	st.Set("")
	wantRows(t, scr, -1, "", "pigeon: connected", "15:04 bob: hi", "")
	fmt.Fprintln(out, "pigeon: sent a.bin")
	wantRows(t, scr, -1, "pigeon: connected", "15:04 bob: hi", "pigeon: sent a.bin", "")

	st.Set("sending c.bin: 1%")
	st.Close()
	wantRows(t, scr, -1, "pigeon: connected", "15:04 bob: hi", "pigeon: sent a.bin", "")
	st.Set("sending c.bin: 2%")
	wantRows(t, scr, -1, "pigeon: connected", "15:04 bob: hi", "pigeon: sent a.bin", "")
}
