package console

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// RuneWidth is the number of terminal columns r takes: 2 for wide East
// Asian characters and most emoji, 0 for combining marks and invisible
// format characters, 1 for the rest.
func RuneWidth(r rune) int {
	switch {
	case r == 0, unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Cf, r):
		return 0
	case r >= 0xFE00 && r <= 0xFE0F: // variation selectors
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// StringWidth is the number of terminal columns s takes.
func StringWidth(s string) int {
	n := 0
	for _, r := range s {
		n += RuneWidth(r)
	}
	return n
}

func runesWidth(rs []rune) int {
	n := 0
	for _, r := range rs {
		n += RuneWidth(r)
	}
	return n
}

// Printable makes text from elsewhere safe to print on a terminal: control
// characters, which could move the cursor, change colours or retitle the
// window, are shown as a caret and a letter (^[ for escape) or as U+FFFD,
// and line breaks are kept. Printable text is unchanged.
func Printable(text string) string {
	clean := true
	for _, r := range text {
		if r != '\n' && isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return text
	}
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '\n' || !isControl(r):
			b.WriteRune(r)
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + '@')
		case r == 0x7f:
			b.WriteString("^?")
		default:
			b.WriteRune(unicode.ReplacementChar)
		}
	}
	return b.String()
}

// isControl reports whether r is a C0 or C1 control character, or one of
// the Unicode characters that reorder text (bidirectional overrides), which
// can disguise what a line says.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// cut is the start of s that fits in cols columns.
func cut(s string, cols int) string {
	w := 0
	for i, r := range s {
		if w += RuneWidth(r); w > cols {
			return s[:i]
		}
	}
	return s
}
