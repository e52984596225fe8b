package offline

import (
	"strings"
	"unicode"
)

// quotes are the characters that people and chat programs put around a
// code: straight and typographic quotes, guillemets, and the backticks of
// markdown inline code. None of them occurs in a code, so they can be taken
// off both ends of a line without looking at what they enclose.
const quotes = "\"'`“”‘’„«»‹›"

// Clean strips what copying adds around a code, so that the decoder sees the
// code alone:
//
//   - whitespace and line wraps anywhere, including no-break spaces, and
//     invisible format characters (zero-width spaces, soft hyphens, byte
//     order marks) that chat programs and web pages slip into long words;
//   - "> " quote markers at the start of each line (email and markdown);
//   - markdown code fence lines (``` or ~~~, with an info string or not);
//   - quotes and backticks around the code, or around each of its lines.
//
// Clean does not check that what is left is a code; Decode does.
func Clean(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		b.WriteString(cleanLine(line))
	}
	return b.String()
}

// cleanLine cleans one line of a pasted text.
func cleanLine(line string) string {
	line = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, line)

	// Wrappings nest ("> `code`", a quoted fence), so peel them until none
	// is left; this also makes Clean idempotent.
	for {
		peeled := strings.TrimLeft(line, ">")
		if fence := fenceLen(peeled); fence > 0 {
			rest := strings.TrimRight(peeled[fence:], "`~")
			// What follows an opening fence is an info string ("```text"),
			// unless someone put the whole code between fences on one line.
			if !isCodeStart(rest) {
				return ""
			}
			peeled = rest
		}
		// Tildes go too: like backticks they are fence marks, never part of
		// a code, and a few left on one line could make a fence with the next.
		peeled = strings.Trim(peeled, quotes+"~")
		if peeled == line {
			return line
		}
		line = peeled
	}
}

// fenceLen returns the length of the markdown code fence (three or more
// backticks or tildes) that line starts with, or 0.
func fenceLen(line string) int {
	for _, mark := range []byte{'`', '~'} {
		n := len(line) - len(strings.TrimLeft(line, string(mark)))
		if n >= 3 {
			return n
		}
	}
	return 0
}

// isCodeStart reports whether s starts like a code of any version: the
// magic, in either case, and a digit; or like base64 of a JSON object
// ("eyJ" is base64 of `{"`). Info strings such as "pgsql" do not.
func isCodeStart(s string) bool {
	if strings.HasPrefix(s, "eyJ") {
		return true
	}
	return len(s) > len(magic) && strings.EqualFold(s[:len(magic)], magic) && s[len(magic)] >= '0' && s[len(magic)] <= '9'
}
