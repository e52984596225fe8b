package transfer

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest name SanitizeName returns, in bytes. Common
// file systems allow 255; the rest leaves room for " (9999)" and ".part".
const MaxNameBytes = 200

// unnamed is the name of a transfer whose offered name has nothing usable.
const unnamed = "unnamed"

// SanitizeName turns a name offered by the peer into one that is safe to
// create in the download directory, on any common system:
//
//   - path separators, control and formatting characters (such as the
//     right-to-left override that disguises "gpj.exe" as "exe.jpg"),
//     characters Windows forbids, and invalid UTF-8 become "_";
//   - leading dots go, so that nothing arrives hidden and "." and ".." are
//     impossible; leading spaces, and trailing dots and spaces, go too;
//   - a Windows device name (CON, NUL, COM1, LPT1, also "nul.txt") gets a
//     leading "_";
//   - the name is cut to MaxNameBytes, keeping a short extension;
//   - an empty result is "unnamed".
//
// SanitizeName(SanitizeName(s)) == SanitizeName(s).
func SanitizeName(name string) string {
	name = sanitizeComponent(strings.TrimLeft(name, ". "))
	if name == "" {
		return unnamed
	}
	return name
}

// sanitizeComponent makes one path component safe without hiding or
// unhiding it: it keeps leading dots, for the entries of a directory
// (".gitignore" inside a received directory is fine). It returns "" for a
// component that is empty, "." or "..": the caller decides what that means.
func sanitizeComponent(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(name[i:]); size == 1 {
				b.WriteByte('_') // invalid UTF-8
				continue
			}
		}
		if unsafeRune(r) {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	name = b.String()
	name = truncateName(name, MaxNameBytes)
	name = trimTail(name)
	if name == "" || strings.Trim(name, ".") == "" {
		// "", ".", "..", "..." (Windows drops the dots, making "...": "").
		return ""
	}
	if isDeviceName(name) {
		name = trimTail(truncateName("_"+name, MaxNameBytes))
	}
	return name
}

// unsafeRune reports whether r must not appear in a file name.
func unsafeRune(r rune) bool {
	switch r {
	case '/', '\\', ':', '*', '?', '"', '<', '>', '|':
		return true
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		r == '\u2028' || r == '\u2029' || // line and paragraph separators
		unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r) || r == utf8.RuneError
}

// trimTail drops trailing dots and spaces, which Windows removes silently
// (so "NUL." would name the device) and which hide a name's real end.
func trimTail(name string) string {
	return strings.TrimRight(name, ". ")
}

// isDeviceName reports whether Windows would take name as a device: CON,
// PRN, AUX, NUL, COM0-9 or LPT0-9 (with superscript digits too), with or
// without an extension, in any case.
func isDeviceName(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) < 4 || (base[:3] != "COM" && base[:3] != "LPT") {
		return false
	}
	switch base[3:] {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}

// truncateName cuts name to at most limit bytes on a rune boundary, keeping
// its extension when that is short, so "report….pdf" still opens as a PDF.
func truncateName(name string, limit int) string {
	if len(name) <= limit {
		return name
	}
	ext := extension(name)
	if len(ext) > 16 || len(ext) >= limit/2 {
		ext = ""
	}
	return cutRunes(strings.TrimSuffix(name, ext), limit-len(ext)) + ext
}

// cutRunes returns the longest prefix of s of at most n bytes that ends on
// a rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// extension returns the extension of name, counting ".tar.gz" and the like
// as one, so that "logs.tar.gz" is taken as "logs (1).tar.gz".
func extension(name string) string {
	ext := filepath.Ext(name)
	if ext == name {
		return "" // ".profile" has no extension: it is all name
	}
	if rest := strings.TrimSuffix(name, ext); strings.EqualFold(filepath.Ext(rest), ".tar") && rest != filepath.Ext(rest) {
		return filepath.Ext(rest) + ext
	}
	return ext
}

// numbered returns the name for the n-th attempt at saving name: name
// itself, then "name (1).ext", "name (2).ext"...
func numbered(name string, kind Kind, n int) string {
	if n == 0 {
		return name
	}
	ext := ""
	if kind == File {
		ext = extension(name)
	}
	return fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(name, ext), n, ext)
}
