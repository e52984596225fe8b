package console

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		in   string
		keep Keep
		want string
	}{
		{"plain text, ünïcödé, 日本語 ✓, a\\b", 0, "plain text, ünïcödé, 日本語 ✓, a\\b"},
		{"two\nlines", 0, `two\x0alines`},
		{"two\r\nlines\r", KeepLineBreaks, `two` + "\n" + `lines\x0d`},
		{"a\tb", 0, `a\x09b`},
		{"a\tb", KeepTabs, "a\tb"},
		{"red \x1b[31malert\x1b[0m", 0, `red \x1b[31malert\x1b[0m`},
		{"\x1b]0;pwned\x07", 0, `\x1b]0;pwned\x07`},
		{"\x1b]52;c;cm0gLXJmIH4=\x1b\\", 0, `\x1b]52;c;cm0gLXJmIH4=\x1b\`},
		{"bell\a back\bspace\r", 0, `bell\x07 back\x08space\x0d`},
		{"del\x7f c1\u009b31m \u0085", 0, `del\x7f c1\x9b31m \x85`},
		{"evil\u202egnp.exe", 0, `evil\u202egnp.exe`},
		{"\u2066isolate\u2069 \u200fmark \u2028sep", 0, `\u2066isolate\u2069 \u200fmark \u2028sep`},
		{"bad \xff\xfe utf8", 0, `bad \xff\xfe utf8`},
		{"zero\u200dwidth joiner stays: 👩\u200d💻", 0, "zero\u200dwidth joiner stays: 👩\u200d💻"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in, tt.keep); got != tt.want {
			t.Errorf("Escape(%q, %d) = %q, want %q", tt.in, tt.keep, got, tt.want)
		}
	}
}

// FuzzEscape: whatever comes in, what Escape returns is valid UTF-8 with
// nothing that steers a terminal, escaping it again changes nothing, and
// text with nothing to escape comes back as it was.
func FuzzEscape(f *testing.F) {
	f.Add("hello", uint8(0))
	f.Add("\x1b]0;title\x07\u202e\r\n\t\xff", uint8(KeepTabs|KeepLineBreaks))
	f.Add("\u009b2J\u0085", uint8(KeepTabs))
	f.Fuzz(func(t *testing.T, in string, k uint8) {
		keep := Keep(k) & (KeepTabs | KeepLineBreaks)
		out := Escape(in, keep)
		if !utf8.ValidString(out) {
			t.Fatalf("Escape(%q) = %q: invalid UTF-8", in, out)
		}
		for _, r := range out {
			if mustEscape(r) && !kept(r, keep) {
				t.Fatalf("Escape(%q) = %q: holds %U", in, out, r)
			}
		}
		if again := Escape(out, keep); again != out {
			t.Fatalf("Escape(Escape(%q)) = %q, not %q", in, again, out)
		}
		clean := utf8.ValidString(in) && !strings.ContainsFunc(in, func(r rune) bool { return mustEscape(r) && !kept(r, keep) })
		if clean && out != in {
			t.Fatalf("Escape(%q) = %q: changed clean text", in, out)
		}
	})
}

// TestStatusLines checks that each status line is one line, prefixed, with
// what the peer chose escaped, and whole when many goroutines print.
func TestStatusLines(t *testing.T) {
	var b strings.Builder
	say := StatusLines(&b)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			say("%d the peer's name is %s", i, "bob\n\x1b]0;x\a")
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "pigeon: ") || !strings.HasSuffix(l, `the peer's name is bob\x0a\x1b]0;x\x07`) {
			t.Errorf("status line %q", l)
		}
	}
}
