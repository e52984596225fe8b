package transfer

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		in, want string
	}{
		{"photo.jpg", "photo.jpg"},
		{"naïve café ✓.txt", "naïve café ✓.txt"},
		{"", unnamed},
		{".", unnamed},
		{"..", unnamed},
		{"...", unnamed},
		{" . ", unnamed},
		{"../../etc/passwd", "_.._etc_passwd"},
		{"/etc/passwd", "_etc_passwd"},
		{`..\..\windows\system32`, "_.._windows_system32"},
		{`C:\boot.ini`, "C__boot.ini"},
		{"a/b", "a_b"},
		{".bashrc", "bashrc"},
		{"..hidden", "hidden"},
		{"trailing. . ", "trailing"},
		{"  spaced  ", "spaced"},
		{"tab\there", "tab_here"},
		{"new\nline", "new_line"},
		{"bell\a", "bell_"},
		{"esc\x1b[2Jclear", "esc_[2Jclear"},
		{"del\x7f", "del_"},
		{"c1\u0085x", "c1_x"},
		{"evil\u202egpj.exe", "evil_gpj.exe"},
		{"zero\u200bwidth", "zero_width"},
		{"line\u2028sep", "line_sep"},
		{"bad\xffutf8", "bad_utf8"},
		{"replacement\ufffd", "replacement_"},
		{"nul\x00byte", "nul_byte"},
		{`what?*<>|":`, "what_______"},
		{"CON", "_CON"},
		{"con", "_con"},
		{"nul.txt", "_nul.txt"},
		{"NUL.tar.gz", "_NUL.tar.gz"},
		{"COM1", "_COM1"},
		{"lpt9.doc", "_lpt9.doc"},
		{"COM¹", "_COM¹"},
		{"AUX .txt", "_AUX .txt"},
		{"CONFIG.SYS", "CONFIG.SYS"},
		{"COM10", "COM10"},
		{"console", "console"},
		{".CON", "_CON"},
		{"NUL.", "_NUL"},
		{long, strings.Repeat("a", MaxNameBytes)},
		{long + ".pdf", strings.Repeat("a", MaxNameBytes-4) + ".pdf"},
		{strings.Repeat("é", 150), strings.Repeat("é", MaxNameBytes/2)},
		{strings.Repeat("€", 100), strings.Repeat("€", MaxNameBytes/3)},
	}
	for _, tt := range tests {
		if got := SanitizeName(tt.in); got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNumbered(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		n    int
		want string
	}{
		{"report.pdf", File, 0, "report.pdf"},
		{"report.pdf", File, 1, "report (1).pdf"},
		{"logs.tar.gz", File, 2, "logs (2).tar.gz"},
		{"README", File, 1, "README (1)"},
		{"profile", File, 3, "profile (3)"},
		{"v1.2", Dir, 1, "v1.2 (1)"},
		{"photos", Dir, 12, "photos (12)"},
	}
	for _, tt := range tests {
		if got := numbered(tt.name, tt.kind, tt.n); got != tt.want {
			t.Errorf("numbered(%q, %s, %d) = %q, want %q", tt.name, tt.kind, tt.n, got, tt.want)
		}
	}
}

func TestEntryPath(t *testing.T) {
	tests := []struct {
		in, want string
		unsafe   bool
	}{
		{in: "a.txt", want: "a.txt"},
		{in: "sub/dir/", want: "sub/dir"},
		{in: "./sub//x", want: "sub/x"},
		{in: ".git/config", want: ".git/config"},
		{in: "sub/CON", want: "sub/_CON"},
		{in: "a\x1bb/c", want: "a_b/c"},
		{in: `sub\..\..\x`, want: `sub_.._.._x`},
		{in: "/etc/passwd", unsafe: true},
		{in: `\windows`, unsafe: true},
		{in: "../x", unsafe: true},
		{in: "a/../../x", unsafe: true},
		{in: "a/..", unsafe: true},
		{in: "a/.../b", unsafe: true},
		{in: "", unsafe: true},
		{in: "./", unsafe: true},
	}
	for _, tt := range tests {
		got, err := entryPath(tt.in)
		if tt.unsafe {
			if err == nil {
				t.Errorf("entryPath(%q) = %q, want ErrUnsafeEntry", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("entryPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"photo.jpg", "../../etc/passwd", "CON", "nul.txt", ".bashrc", "a\x00b", "\u202e", "\xff\xfe",
		"COM¹.x", " . ", strings.Repeat("é", 120) + ".tar.gz", "AUX .  ", "..CON..", "x" + strings.Repeat(" ", 300) + "y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SanitizeName(in)
		switch {
		case got == "":
			t.Fatalf("SanitizeName(%q) is empty", in)
		case len(got) > MaxNameBytes:
			t.Fatalf("SanitizeName(%q) = %q: %d bytes", in, got, len(got))
		case !utf8.ValidString(got):
			t.Fatalf("SanitizeName(%q) = %q: invalid UTF-8", in, got)
		case strings.ContainsAny(got, `/\:*?"<>|`):
			t.Fatalf("SanitizeName(%q) = %q: a forbidden character", in, got)
		case strings.HasPrefix(got, ".") || strings.HasPrefix(got, " "):
			t.Fatalf("SanitizeName(%q) = %q: a leading dot or space", in, got)
		case strings.HasSuffix(got, ".") || strings.HasSuffix(got, " "):
			t.Fatalf("SanitizeName(%q) = %q: a trailing dot or space", in, got)
		case isDeviceName(got):
			t.Fatalf("SanitizeName(%q) = %q: a device name", in, got)
		case filepath.Base(got) != got || !filepath.IsLocal(got):
			t.Fatalf("SanitizeName(%q) = %q: not one local element", in, got)
		case SanitizeName(got) != got:
			t.Fatalf("SanitizeName(%q) = %q, but SanitizeName of that is %q", in, got, SanitizeName(got))
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("SanitizeName(%q) = %q: control or format character %U", in, got, r)
			}
		}
		// Any name numbered for a collision, with its part suffix, still
		// fits a 255-byte file system limit.
		if n := len(numbered(got, File, maxNumbered) + partSuffix); n > 255 {
			t.Fatalf("SanitizeName(%q) = %q: numbered and with .part it is %d bytes", in, got, n)
		}
		if p, err := entryPath(in); err == nil {
			if !filepath.IsLocal(p) || !utf8.ValidString(p) {
				t.Fatalf("entryPath(%q) = %q: not local", in, p)
			}
			for _, elem := range strings.Split(p, "/") {
				if elem == "" || elem == "." || elem == ".." || isDeviceName(elem) {
					t.Fatalf("entryPath(%q) = %q: element %q", in, p, elem)
				}
			}
		}
	})
}
