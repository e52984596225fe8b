package console

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// Keep says which layout characters Escape leaves as they are. Everything
// else that Escape escapes is escaped whatever Keep says.
type Keep uint8

const (
	// KeepTabs leaves tabs as they are: a tab moves the cursor, but only
	// forward on its own line.
	KeepTabs Keep = 1 << iota
	// KeepLineBreaks leaves line breaks ("\n", and "\r\n", which becomes
	// "\n") as they are, for text of several lines. A carriage return
	// alone, which would write over the line, is escaped.
	KeepLineBreaks
)

// Escape makes text from elsewhere (a peer's chat or name, a file name, a
// code) safe to print on a terminal, or into a file or pipe that a terminal
// may show later. Every character that could steer a terminal (move the
// cursor, change colours, retitle the window, write the clipboard) or
// disguise what a line says is written out visibly in its place, so that
// a person sees it was there:
//
//   - C0 controls, DEL and C1 controls as \x1b, \x7f, \x9b: an escape
//     sequence arrives as text ("\x1b]0;title\x07");
//   - bidirectional overrides, embeddings, isolates and marks, and the
//     line and paragraph separators, as \u202e;
//   - each byte of invalid UTF-8 as \xff.
//
// Tabs and line breaks are escaped too, unless keep says otherwise. Text
// with none of these is returned unchanged, and Escape(Escape(s, k), k) ==
// Escape(s, k).
func Escape(text string, keep Keep) string {
	if isClean(text, keep) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, text[i])
		case keep&KeepLineBreaks != 0 && r == '\r' && strings.HasPrefix(text[i+1:], "\n"):
			// "\r\n" is written as the "\n" that follows.
		case kept(r, keep) || !mustEscape(r):
			b.WriteString(text[i : i+size])
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

func isClean(text string, keep Keep) bool {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 || mustEscape(r) && !kept(r, keep) {
			return false
		}
		i += size
	}
	return true
}

func kept(r rune, keep Keep) bool {
	return r == '\t' && keep&KeepTabs != 0 || r == '\n' && keep&KeepLineBreaks != 0
}

// mustEscape reports whether Escape writes r out: a C0 or C1 control,
// DEL, a bidirectional formatting character, or a line or paragraph
// separator.
func mustEscape(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // Arabic letter mark, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // embeddings and overrides
		return true
	case r >= 0x2066 && r <= 0x2069: // isolates
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// StatusLines returns a printer of status lines on w ("pigeon: ..."),
// safe to call from many goroutines. A line may hold what the peer chose
// (its name, a file's name, an undelivered message): each is printed as
// one line, escaped, with nothing a terminal would obey.
func StatusLines(w io.Writer) func(format string, args ...any) {
	lw := &lockedWriter{w: w}
	return func(format string, args ...any) {
		fmt.Fprintf(lw, "pigeon: %s\n", Escape(fmt.Sprintf(format, args...), 0))
	}
}

// lockedWriter serializes writes, one line at a time, from many goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
