package console

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// screen is a terminal emulator for the sequences an Editor writes, with
// the output processing a terminal in character mode keeps ("\n" starts a
// new line) and with wide characters taking two cells.
type screen struct {
	mu       sync.Mutex
	cols     int
	cells    [][]string // "" is the right half of a wide character
	row, col int        // from 0
}

func newScreen(cols, rows int) *screen {
	s := &screen{cols: cols}
	for range rows {
		s.cells = append(s.cells, blankRow(cols))
	}
	return s
}

func blankRow(cols int) []string {
	row := make([]string, cols)
	for i := range row {
		row[i] = " "
	}
	return row
}

var csiRE = regexp.MustCompile(`^\x1b\[([0-9]*)([A-Za-z])`)

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text := string(p)
	for len(text) > 0 {
		if m := csiRE.FindStringSubmatch(text); m != nil {
			text = text[len(m[0]):]
			n, _ := strconv.Atoi(m[1])
			n = max(n, 1)
			switch m[2] {
			case "K":
				for c := s.col; c < s.cols; c++ {
					s.cells[s.row][c] = " "
				}
			case "A":
				s.row = max(s.row-n, 0)
			case "C":
				s.col = min(s.col+n, s.cols-1)
			case "D":
				s.col = max(s.col-n, 0)
			default:
				return 0, fmt.Errorf("unexpected escape sequence %q", m[0])
			}
			continue
		}
		if text[0] == 0x1b {
			return 0, fmt.Errorf("unexpected escape in %q", text)
		}
		r := []rune(text)[0]
		text = text[len(string(r)):]
		switch r {
		case '\r':
			s.col = 0
		case '\n':
			s.col = 0
			s.newline()
		default:
			w := RuneWidth(r)
			if w == 0 {
				continue
			}
			if s.col+w > s.cols {
				s.col = 0
				s.newline()
			}
			s.cells[s.row][s.col] = string(r)
			if w == 2 {
				s.cells[s.row][s.col+1] = ""
			}
			s.col += w
			if s.col >= s.cols { // the cursor waits in the last column
				s.col = s.cols - 1
			}
		}
	}
	return len(p), nil
}

func (s *screen) newline() {
	if s.row < len(s.cells)-1 {
		s.row++
		return
	}
	s.cells = append(s.cells[1:], blankRow(s.cols))
}

// line is row r's text, without trailing spaces; -1 is the last row.
func (s *screen) line(r int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r < 0 {
		r += len(s.cells)
	}
	return strings.TrimRight(strings.Join(s.cells[r], ""), " ")
}

func (s *screen) cursor() (row, col int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.row, s.col
}

// typing drives an Editor on a screen through a pipe, as a person would.
type typing struct {
	t      *testing.T
	ed     *Editor
	scr    *screen
	keys   *io.PipeWriter
	lines  chan string
	errs   chan error
	width  int
	widthM sync.Mutex
}

func newTyping(t *testing.T, cols, rows int) *typing {
	t.Helper()
	r, w := io.Pipe()
	ty := &typing{t: t, scr: newScreen(cols, rows), keys: w, lines: make(chan string, 10), errs: make(chan error, 1), width: cols}
	ty.ed = New(oneByte{r}, ty.scr, Options{Prompt: "> ", Width: func() int {
		ty.widthM.Lock()
		defer ty.widthM.Unlock()
		return ty.width
	}})
	// The prompt starts on the last row, as after a screenful of output.
	ty.scr.row = rows - 1
	go func() {
		for {
			line, err := ty.ed.ReadLine()
			if err != nil {
				ty.errs <- err
				return
			}
			ty.lines <- line
		}
	}()
	t.Cleanup(func() { w.Close() })
	return ty
}

// typ sends keys, then waits for the editor to have applied them all. The
// editor reads a byte at a time through the pipe and applies a key before
// it reads the next, so once a second Ctrl-L (which changes nothing) has
// been read, everything before the first has been applied.
func (ty *typing) typ(keys string) {
	ty.t.Helper()
	if _, err := io.WriteString(ty.keys, keys+"\x0c\x0c"); err != nil {
		ty.t.Fatal(err)
	}
}

// send sends keys without waiting, for keys that end ReadLine.
func (ty *typing) send(keys string) {
	go io.WriteString(ty.keys, keys)
}

// oneByte hands over one byte per Read.
type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func (ty *typing) line() string {
	ty.t.Helper()
	select {
	case l := <-ty.lines:
		return l
	case err := <-ty.errs:
		ty.t.Fatalf("ReadLine ended with %v, want a line", err)
	case <-time.After(5 * time.Second):
		ty.t.Fatal("no line from ReadLine within 5 s")
	}
	return ""
}

func (ty *typing) end() error {
	ty.t.Helper()
	select {
	case l := <-ty.lines:
		ty.t.Fatalf("ReadLine returned %q, want it to end", l)
	case err := <-ty.errs:
		return err
	case <-time.After(5 * time.Second):
		ty.t.Fatal("ReadLine did not end within 5 s")
	}
	return nil
}

// bottom checks the last row and where the cursor is on it.
func (ty *typing) bottom(want string, col int) {
	ty.t.Helper()
	if got := ty.scr.line(-1); got != want {
		ty.t.Errorf("bottom row %q, want %q", got, want)
	}
	if r, c := ty.scr.cursor(); r != len(ty.scr.cells)-1 || c != col {
		ty.t.Errorf("cursor at row %d column %d, want the bottom row (%d), column %d", r, c, len(ty.scr.cells)-1, col)
	}
}

const (
	left, right = "\x1b[D", "\x1b[C"
	up, down    = "\x1b[A", "\x1b[B"
	home, end   = "\x1b[H", "\x1b[F"
	del         = "\x1b[3~"
	backspace   = "\x7f"
	ctrlU       = "\x15"
	ctrlW       = "\x17"
	ctrlD       = "\x04"
	ctrlC       = "\x03"
)

func TestEditing(t *testing.T) {
	tests := []struct {
		name, keys, want string
	}{
		{"typing", "hello\r", "hello"},
		{"a word inserted", "hello world" + strings.Repeat(left, 5) + "big \r", "hello big world"},
		{"home and end", "ello" + home + "h" + end + "!\r", "hello!"},
		{"home and end, SS3 and tilde forms", "b\x1bOHa\x1b[4~c\x1b[1~>\r", ">abc"},
		{"backspace", "helo" + backspace + backspace + "llo\r", "hello"},
		{"delete", "hxello" + home + right + del + "\r", "hello"},
		{"Ctrl-D deletes on a line with text", "hxello" + home + right + ctrlD + "\r", "hello"},
		{"Ctrl-U deletes back to the start", "junk here" + ctrlU + "hello\r", "hello"},
		{"Ctrl-U in the middle", "junk hello" + strings.Repeat(left, 5) + ctrlU + "\r", "hello"},
		{"Ctrl-K deletes to the end", "hello junk" + strings.Repeat(left, 5) + "\x0b\r", "hello"},
		{"Ctrl-W deletes a word", "hello big  " + ctrlW + "world\r", "hello world"},
		{"Alt-Backspace deletes a word", "hello big" + "\x1b\x7f" + "world\r", "hello world"},
		{"Ctrl-arrows move by word", "one three" + "\x1b[1;5D" + "two " + "\x1b[1;5C" + "!\r", "one two three!"},
		{"Alt-b and Alt-f move by word", "one three" + "\x1bb" + "two " + "\x1bf" + "!\r", "one two three!"},
		{"Emacs keys", "bc\x01a\x05d\x02\x02\x06X\r", "abcXd"},
		{"wide characters", "日本語" + left + backspace + "x\r", "日x語"},
		{"combining marks", "e\u0301t" + left + backspace + "\r", "et"},
		{"a tab is a space", "a\tb\r", "a b"},
		{"unknown keys do nothing", "a\x1b[24~\x1b[1;2P\x00\x07b\r", "ab"},
		{"backspace at the start", backspace + "a" + home + backspace + "\r", "a"},
		{"arrows past the ends", left + "ab" + right + right + "c\r", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ty := newTyping(t, 40, 5)
			ty.typ(tt.keys)
			if got := ty.line(); got != tt.want {
				t.Errorf("ReadLine = %q, want %q", got, tt.want)
			}
			ty.typ("")
			ty.bottom(">", 2)
		})
	}
}

func TestCursorFollowsWideCharacters(t *testing.T) {
	ty := newTyping(t, 40, 5)
	ty.typ("a日本b")
	ty.bottom("> a日本b", 2+6)
	ty.typ(left + left)
	ty.bottom("> a日本b", 2+3)
	ty.typ("é")
	ty.bottom("> a日é本b", 2+4)
}

func TestLinesPrintedAboveKeepTheLineBeingTyped(t *testing.T) {
	ty := newTyping(t, 40, 5)
	ty.typ("half a li" + left + left)
	peer := ty.ed.Above(ty.scr)
	fmt.Fprintf(peer, "15:04 alice: hi there\n")
	fmt.Fprintf(peer, "15:05 alice: are you ")
	ty.bottom("> half a li", 2+7)
	fmt.Fprintf(peer, "there?\n")
	if got := ty.scr.line(-3); got != "15:04 alice: hi there" {
		t.Errorf("third row from the bottom %q, want the first message", got)
	}
	if got := ty.scr.line(-2); got != "15:05 alice: are you there?" {
		t.Errorf("second row from the bottom %q, want the second message, whole", got)
	}
	ty.bottom("> half a li", 2+7)
	ty.typ(end + "ne\r")
	if got := ty.line(); got != "half a line" {
		t.Errorf("ReadLine = %q, want the line as typed before and after the messages", got)
	}
	ty.typ("")
	ty.bottom(">", 2)
}

func TestLongLinesScrollSideways(t *testing.T) {
	ty := newTyping(t, 20, 5) // 17 columns for text: 20, less the prompt and the last
	long := "abcdefghijklmnopqrstuvwxyz"
	ty.typ(long)
	ty.bottom("> jklmnopqrstuvwxyz", 19)
	ty.typ(home)
	ty.bottom("> abcdefghijklmnopq", 2)
	ty.typ(end + strings.Repeat(backspace, 10))
	ty.bottom("> abcdefghijklmnop", 18)
	ty.typ("\r")
	if got := ty.line(); got != long[:16] {
		t.Errorf("ReadLine = %q, want %q", got, long[:16])
	}

	// Wide characters never straddle the edge.
	ty.typ(strings.Repeat("語", 12))
	ty.typ("")
	if got, want := ty.scr.line(-1), "> "+strings.Repeat("語", 8); got != want {
		t.Errorf("bottom row %q, want %q", got, want)
	}
	// A narrower terminal is followed at the next redraw.
	ty.widthM.Lock()
	ty.width = 10
	ty.widthM.Unlock()
	ty.typ("")
	if got, want := ty.scr.line(-1), "> "+strings.Repeat("語", 3); !strings.HasPrefix(got, want) {
		t.Errorf("bottom row %q after narrowing, want it to start %q", got, want)
	}
}

func TestHistory(t *testing.T) {
	ty := newTyping(t, 40, 5)
	for _, l := range []string{"first", "second", "second"} {
		ty.typ(l + "\r")
		ty.line()
	}
	ty.typ("draft" + up)
	ty.bottom("> second", 8)
	ty.typ(up)
	ty.bottom("> first", 7)
	ty.typ(up) // nothing older: stays
	ty.bottom("> first", 7)
	ty.typ(down + down)
	ty.bottom("> draft", 7)
	ty.typ(up + up + " again\r")
	if got := ty.line(); got != "first again" {
		t.Errorf("ReadLine = %q, want the recalled line edited", got)
	}
	ty.typ(up)
	ty.bottom("> first again", 13)
}

func TestEndOfInput(t *testing.T) {
	t.Run("Ctrl-D on an empty line", func(t *testing.T) {
		ty := newTyping(t, 40, 5)
		ty.send("x" + backspace + ctrlD)
		if err := ty.end(); !errors.Is(err, io.EOF) {
			t.Errorf("ReadLine ended with %v, want io.EOF", err)
		}
		if got := ty.scr.line(-1); got != "" {
			t.Errorf("the prompt is still shown: %q", got)
		}
	})
	t.Run("Ctrl-C", func(t *testing.T) {
		ty := newTyping(t, 40, 5)
		ty.send("some text" + ctrlC)
		if err := ty.end(); !errors.Is(err, ErrInterrupted) {
			t.Errorf("ReadLine ended with %v, want ErrInterrupted", err)
		}
	})
	t.Run("the input ends", func(t *testing.T) {
		ty := newTyping(t, 40, 5)
		io.WriteString(ty.keys, "unfinished")
		ty.keys.Close()
		if err := ty.end(); !errors.Is(err, io.EOF) {
			t.Errorf("ReadLine ended with %v, want io.EOF", err)
		}
	})
	t.Run("writes after the end go straight through", func(t *testing.T) {
		ty := newTyping(t, 40, 5)
		ty.send(ctrlD)
		ty.end()
		fmt.Fprintln(ty.ed.Above(ty.scr), "bye")
		if got := ty.scr.line(-2); got != "bye" {
			t.Errorf("row %q, want bye", got)
		}
		if got := ty.scr.line(-1); got != "" {
			t.Errorf("a prompt came back after the end: %q", got)
		}
	})
}

func TestRuneWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"abc", 3}, {"日本", 4}, {"e\u0301", 1}, {"한국어", 6}, {"😀", 2}, {"ｆｕｌｌ", 8}, {"a\u200db", 2},
	}
	for _, tt := range tests {
		if got := StringWidth(tt.s); got != tt.want {
			t.Errorf("StringWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// FuzzEditor types any bytes: the editor never panics, returns only
// printable lines, and keeps the cursor on the bottom row.
func FuzzEditor(f *testing.F) {
	f.Add([]byte("hello\r"))
	f.Add([]byte("日本語\x1b[D\x7f\x1b[3~\x15\x17\x1b[1;5C\x1bOH\x04\r"))
	f.Add([]byte("\x1b[\x1b\x1bO"))
	f.Fuzz(func(t *testing.T, keys []byte) {
		scr := newScreen(20, 3)
		scr.row = 2
		ed := New(strings.NewReader(string(keys)), scr, Options{Prompt: "> ", Width: func() int { return 20 }})
		for {
			line, err := ed.ReadLine()
			if err != nil {
				break
			}
			if Escape(line, KeepTabs) != line {
				t.Fatalf("ReadLine returned %q, with control characters", line)
			}
			if r, c := scr.cursor(); r != 2 || c >= 20 {
				t.Fatalf("cursor at %d,%d", r, c)
			}
		}
	})
}

func TestClose(t *testing.T) {
	ty := newTyping(t, 40, 5)
	ty.typ("not sent")
	ty.ed.Close()
	if got := ty.scr.line(-1); got != "" {
		t.Errorf("the line is still shown after Close: %q", got)
	}
	ty.send("\r")
	if err := ty.end(); !errors.Is(err, io.EOF) {
		t.Errorf("ReadLine ended with %v after Close, want io.EOF", err)
	}
	if _, err := ty.ed.ReadLine(); !errors.Is(err, io.EOF) {
		t.Errorf("ReadLine after Close = %v, want io.EOF", err)
	}
}
