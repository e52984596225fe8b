package scan

import (
	"strconv"
	"strings"

	"github.com/pigeon-call/pigeon/offline"
)

// A long code is shown as a cycle of QR codes, each holding one part behind
// a header "P<index>/<count>:", as in "P2/3:...". The header uses only
// characters of the QR code's alphanumeric mode, so a part of a code's QR
// form (see offline.QRText) still makes the smaller symbol of that mode.
const (
	partPrefix = "P"

	// MaxParts bounds how many parts a code may be split into: a cycle
	// longer than this takes too long to scan.
	MaxParts = 16

	// DefaultPartSize is the number of characters of a code a part holds
	// by default: a version 10 QR code at level M at most, which a laptop
	// camera reads from a screen at arm's length.
	DefaultPartSize = 250
)

// Split returns the texts of the QR codes that show code: one, the code's
// QR form itself, if that is at most size characters long; otherwise parts
// of at most size characters each (plus a header of a few), numbered from 1,
// to show one after the other. It never makes more than MaxParts parts: a
// code too long for that many gets larger parts.
func Split(code string, size int) []string {
	text := offline.QRText(strings.TrimSpace(code))
	if size <= 0 {
		size = DefaultPartSize
	}
	if len(text) <= size {
		return []string{text}
	}
	n := (len(text) + size - 1) / size
	if n > MaxParts {
		n = MaxParts
	}
	// Parts of even size, so the last is not a sliver.
	size = (len(text) + n - 1) / n
	parts := make([]string, 0, n)
	for i := 0; len(text) > 0; i++ {
		end := min(size, len(text))
		parts = append(parts, partPrefix+strconv.Itoa(i+1)+"/"+strconv.Itoa(n)+":"+text[:end])
		text = text[end:]
	}
	return parts
}

// Part is one part of a multi-part code.
type Part struct {
	Index, Count int // Index from 1 to Count
	Body         string
}

// ParsePart parses the text of one QR code as a part of a multi-part code.
// It returns an error for a text that is not one: a whole code, or
// anything else.
func ParsePart(text string) (Part, error) {
	rest, ok := strings.CutPrefix(text, partPrefix)
	if !ok {
		return Part{}, errNotPart
	}
	header, body, ok := strings.Cut(rest, ":")
	if !ok || body == "" {
		return Part{}, errNotPart
	}
	index, count, ok := strings.Cut(header, "/")
	if !ok {
		return Part{}, errNotPart
	}
	i, err1 := smallNumber(index)
	n, err2 := smallNumber(count)
	if err1 != nil || err2 != nil || n < 2 || n > MaxParts || i < 1 || i > n {
		return Part{}, errNotPart
	}
	return Part{Index: i, Count: n, Body: body}, nil
}

// smallNumber parses a number of one or two digits with no sign and no
// leading zero, so that each part has one header only.
func smallNumber(s string) (int, error) {
	if len(s) < 1 || len(s) > 2 || s[0] == '0' {
		return 0, errNotPart
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, errNotPart
		}
	}
	return strconv.Atoi(s)
}

// Assembler puts the parts of a multi-part code back together, in the
// order they come. The zero Assembler is ready to use.
type Assembler struct {
	parts []string // by index-1; "" for a part not yet read
	have  int
}

// Add takes the text of one QR code. It returns the whole code once every
// part has been read (and starts over for the next), or text itself if it
// is not a part. A part that does not fit those read so far (another
// count, or another body at the same index: the peer now shows another
// code) drops them and starts over with it.
func (a *Assembler) Add(text string) (whole string, done bool) {
	p, err := ParsePart(text)
	if err != nil {
		return text, true
	}
	if len(a.parts) != p.Count || (a.parts[p.Index-1] != "" && a.parts[p.Index-1] != p.Body) {
		a.parts, a.have = make([]string, p.Count), 0
	}
	if a.parts[p.Index-1] == "" {
		a.parts[p.Index-1] = p.Body
		a.have++
	}
	if a.have < p.Count {
		return "", false
	}
	whole = strings.Join(a.parts, "")
	a.Reset()
	return whole, true
}

// Progress returns how many parts of the code being read have been read,
// and how many it has; 0, 0 when none.
func (a *Assembler) Progress() (have, count int) { return a.have, len(a.parts) }

// Reset drops the parts read so far.
func (a *Assembler) Reset() { a.parts, a.have = nil, 0 }
