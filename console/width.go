package console

import (
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
