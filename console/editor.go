package console

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// ErrInterrupted is returned by ReadLine when Ctrl-C is typed and the
// terminal hands it over as a key rather than as a signal.
var ErrInterrupted = errors.New("interrupted")

// DefaultHistory is how many lines an Editor remembers by default.
const DefaultHistory = 100

// Options configure an Editor.
type Options struct {
	// Prompt is drawn before the line being typed, such as "> ".
	Prompt string
	// Width reports the terminal's width in columns; it is asked before
	// each redraw, so a resized terminal is followed. 80 when nil.
	Width func() int
	// History is how many lines up and down recall; DefaultHistory when 0.
	History int
}

// Editor edits a line on a terminal's bottom row. ReadLine is called from
// one goroutine; Above's writers may be used from any.
type Editor struct {
	in   *bufio.Reader
	out  io.Writer
	opts Options

	mu      sync.Mutex
	active  bool   // the line is being edited, and shown
	status  string // shown on a row of its own above the line; "" for none
	rows    int    // how many rows are on the screen: the status row, the line
	closed  bool
	line    []rune
	pos     int // the cursor, as an index into line
	offset  int // the first rune shown, when the line is wider than the row
	history [][]rune
	recall  int    // the history entry shown; len(history) for the line being typed
	typed   []rune // the line being typed, while history is shown
}

// New returns an editor that reads keys from in and draws on out, the
// terminal. The terminal should be in character mode (see CharMode).
func New(in io.Reader, out io.Writer, opts Options) *Editor {
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	br, ok := in.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(in)
	}
	return &Editor{in: br, out: out, opts: opts}
}

// ReadLine shows the prompt, lets the person edit a line, and returns it
// when Enter is pressed; the prompt stays on the screen, empty, for the
// next line. It returns io.EOF when Ctrl-D is pressed on an empty line or
// the input ends, and ErrInterrupted for Ctrl-C; the prompt is then gone.
//
// After Close it returns io.EOF.
func (e *Editor) ReadLine() (string, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return "", io.EOF
	}
	e.active = true
	e.draw()
	e.mu.Unlock()
	for {
		k, err := e.readKey()
		if err != nil {
			e.stop()
			return "", err
		}
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return "", io.EOF
		}
		line, done, err := e.apply(k)
		e.mu.Unlock()
		if done {
			return line, err
		}
	}
}

// Close takes the prompt off the screen for good: what is typed after is
// not shown, and ReadLine returns io.EOF.
func (e *Editor) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.erase()
	e.active, e.status, e.closed = false, "", true
}

// Redraw draws the line again, after something else wrote over it.
func (e *Editor) Redraw() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.draw()
	}
}

// SetStatus shows text on a row of its own just above the line being
// typed, in place of the status shown before, such as the progress of a
// transfer; "" takes the row away. Lines written through Above appear
// above it. The text is cut to the row's width, with line breaks made
// spaces and control characters made visible. After Close it does
// nothing.
func (e *Editor) SetStatus(text string) {
	text = Escape(lineBreaks.Replace(text), 0)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || text == e.status {
		return
	}
	e.status = text
	e.draw()
}

// lineBreaks turns line breaks into spaces: a status, or a message for a
// script, stays on one row.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

func (e *Editor) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.active = false
	e.draw()
}

// Above returns a writer whose lines appear above the line being typed:
// each write takes the line off the screen, writes, and draws it again
// under what was written. w is the terminal (stdout or stderr). Only whole
// lines are written; the start of one waits for its end.
func (e *Editor) Above(w io.Writer) io.Writer { return &above{e: e, w: w} }

type above struct {
	e       *Editor
	w       io.Writer
	partial []byte
}

func (a *above) Write(p []byte) (int, error) {
	e := a.e
	e.mu.Lock()
	defer e.mu.Unlock()
	a.partial = append(a.partial, p...)
	i := bytes.LastIndexByte(a.partial, '\n')
	if i < 0 {
		return len(p), nil
	}
	e.erase()
	_, err := a.w.Write(a.partial[:i+1])
	a.partial = append(a.partial[:0], a.partial[i+1:]...)
	e.draw()
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// apply acts on one key; done says ReadLine returns line and err.
func (e *Editor) apply(k key) (line string, done bool, err error) {
	switch k.code {
	case keyRune:
		e.insert(k.r)
	case keyEnter:
		line = string(e.line)
		e.remember()
		e.line, e.pos, e.offset = nil, 0, 0
		e.draw()
		return line, true, nil
	case keyEOF:
		if len(e.line) == 0 {
			e.active = false
			e.draw()
			return "", true, io.EOF
		}
		e.delete(e.pos, e.pos+1)
	case keyInterrupt:
		e.active = false
		e.draw()
		return "", true, ErrInterrupted
	case keyLeft:
		e.pos = max(e.pos-1, 0)
	case keyRight:
		e.pos = min(e.pos+1, len(e.line))
	case keyWordLeft:
		e.pos = e.wordStart()
	case keyWordRight:
		e.pos = e.wordEnd()
	case keyHome:
		e.pos = 0
	case keyEnd:
		e.pos = len(e.line)
	case keyBackspace:
		if e.pos > 0 {
			e.delete(e.pos-1, e.pos)
		}
	case keyDelete:
		e.delete(e.pos, e.pos+1)
	case keyKillStart:
		e.delete(0, e.pos)
	case keyKillEnd:
		e.delete(e.pos, len(e.line))
	case keyKillWord:
		e.delete(e.wordStart(), e.pos)
	case keyUp:
		e.browse(-1)
	case keyDown:
		e.browse(+1)
	case keyRedraw, keyNone:
	}
	e.draw()
	return "", false, nil
}

func (e *Editor) insert(r rune) {
	if r == '\t' {
		r = ' '
	}
	if mustEscape(r) {
		return
	}
	e.line = append(e.line, 0)
	copy(e.line[e.pos+1:], e.line[e.pos:])
	e.line[e.pos] = r
	e.pos++
}

// delete removes the runes from i to j, where the cursor moves to i.
func (e *Editor) delete(i, j int) {
	j = min(j, len(e.line))
	if i >= j {
		return
	}
	e.line = append(e.line[:i], e.line[j:]...)
	e.pos = i
}

// wordStart is where the word before the cursor starts, skipping the
// spaces between.
func (e *Editor) wordStart() int {
	i := e.pos
	for i > 0 && unicode.IsSpace(e.line[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(e.line[i-1]) {
		i--
	}
	return i
}

// wordEnd is where the word after the cursor ends.
func (e *Editor) wordEnd() int {
	i := e.pos
	for i < len(e.line) && unicode.IsSpace(e.line[i]) {
		i++
	}
	for i < len(e.line) && !unicode.IsSpace(e.line[i]) {
		i++
	}
	return i
}

// remember adds the line just entered to the history.
func (e *Editor) remember() {
	if len(e.line) > 0 && (len(e.history) == 0 || string(e.history[len(e.history)-1]) != string(e.line)) {
		e.history = append(e.history, e.line)
		if len(e.history) > e.opts.History {
			e.history = e.history[1:]
		}
	}
	e.recall, e.typed = len(e.history), nil
}

// browse shows the history entry by before (-1) or after (+1) the one
// shown; after the last comes the line that was being typed.
func (e *Editor) browse(by int) {
	to := e.recall + by
	if to < 0 || to > len(e.history) {
		return
	}
	if e.recall == len(e.history) {
		e.typed = e.line
	}
	e.recall = to
	if to == len(e.history) {
		e.line = e.typed
	} else {
		e.line = append([]rune(nil), e.history[to]...)
	}
	e.pos, e.offset = len(e.line), 0
}

// erase takes the status row and the line off the screen, leaving the
// cursor at the start of the upper one's row, where the next output goes.
func (e *Editor) erase() {
	switch e.rows {
	case 1:
		io.WriteString(e.out, "\r\x1b[K")
	case 2:
		io.WriteString(e.out, "\r\x1b[K\x1b[A\r\x1b[K")
	}
	e.rows = 0
}

// draw writes the status row, if there is a status, and the prompt and as
// much of the line as fits on the row around the cursor, in one write, and
// puts the cursor in its place (at the start of the status row when no
// line is edited). The last column stays empty, so that the terminal never
// wraps.
func (e *Editor) draw() {
	want := 0
	if e.status != "" {
		want++
	}
	if e.active {
		want++
	}
	if want < e.rows || want == 0 {
		e.erase() // a row goes: the one left is drawn from the top
	}
	if want == 0 {
		return
	}
	cols := 80
	if e.opts.Width != nil {
		if w := e.opts.Width(); w > 0 {
			cols = w
		}
	}
	var b bytes.Buffer
	if e.rows == 2 {
		b.WriteString("\x1b[A") // from the line up to the status row
	}
	b.WriteString("\r")
	if e.status != "" {
		b.WriteString(cut(e.status, cols-1))
		b.WriteString("\x1b[K")
		if e.active {
			b.WriteString("\n") // to the line's row, scrolling at the bottom
		} else {
			b.WriteString("\r")
		}
	}
	e.rows = want
	if e.active {
		e.drawLine(&b, cols)
	}
	e.out.Write(b.Bytes())
}

// drawLine adds the prompt and the line, from the start of the row.
func (e *Editor) drawLine(b *bytes.Buffer, cols int) {
	prompt := StringWidth(e.opts.Prompt)
	room := max(cols-1-prompt, 1)
	e.offset = min(e.offset, e.pos)
	for e.offset < e.pos && runesWidth(e.line[e.offset:e.pos]) > room {
		e.offset++
	}
	// Scrolled sideways with room to spare, as after a deletion: show
	// more of the start.
	for e.offset > 0 && runesWidth(e.line[e.offset-1:]) <= room {
		e.offset--
	}
	end, w := e.offset, 0
	for end < len(e.line) && w+RuneWidth(e.line[end]) <= room {
		w += RuneWidth(e.line[end])
		end++
	}
	b.WriteString("\r")
	b.WriteString(e.opts.Prompt)
	b.WriteString(string(e.line[e.offset:end]))
	b.WriteString("\x1b[K\r")
	if col := prompt + runesWidth(e.line[e.offset:e.pos]); col > 0 {
		b.WriteString("\x1b[")
		b.WriteString(strconv.Itoa(col))
		b.WriteString("C")
	}
}
