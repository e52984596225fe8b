package offline

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxInput caps what ReadSignal holds while it waits for a code to be
// complete. A real code is a few kilobytes; the cap only keeps a stream of
// garbage that looks like the start of a code from growing memory forever.
const maxInput = 256 << 10

// errTooLong says that a line, or a code, went past maxInput.
var errTooLong = errors.New("input too long")

// ReadSignal reads one signal of the wanted kind from r, line by line.
//
// It returns as soon as a complete code has been read, without waiting for
// the end of the input: r may be a terminal or a FIFO that stays open, and
// whatever follows the line that ends the code (chat lines, say, or the
// closing line of a code fence) stays unread in r for the caller. A code
// wrapped over several lines is put back together, and lines that hold
// nothing once cleaned (blank lines, fence lines, lone quotes) are skipped,
// before the code as well as inside it. Every line is cleaned as Clean does.
//
// The errors say what went wrong, for the person who pasted: ErrEmpty if the
// input ended before any code, ErrTruncated if it ended in the middle of
// one, ErrCorrupt at once for a line that is not (the rest of) a code, or
// for a code or line over 256 KiB, ErrUnsupportedVersion, and a
// *WrongKindError for a code of the other kind, whole, cut or damaged. A
// failure to read r is returned wrapped.
func ReadSignal(r *bufio.Reader, want Kind) (Signal, error) {
	if !want.valid() {
		return Signal{}, fmt.Errorf("reading a signal: unknown kind %v", want)
	}

	var code strings.Builder
	for {
		line, readErr := readLine(r, maxInput-code.Len())
		if errors.Is(readErr, errTooLong) {
			return Signal{}, ErrCorrupt
		}
		if cleaned := Clean(line); cleaned != "" {
			code.WriteString(cleaned)
			kind, sdp, err := decodeFull(code.String())
			switch {
			case err == nil:
				return checkKind(Signal{Kind: kind, SDP: sdp}, want, nil)
			case !errors.Is(err, ErrTruncated):
				return checkKind(Signal{Kind: kind}, want, err)
			}
			// Truncated: the rest of the code is on the next lines.
		}

		switch {
		case readErr == io.EOF && code.Len() == 0:
			return Signal{}, ErrEmpty
		case readErr == io.EOF:
			kind, _, _ := decodeFull(code.String())
			return checkKind(Signal{Kind: kind}, want, ErrTruncated)
		case readErr != nil:
			return Signal{}, fmt.Errorf("reading the %s: %w", want, readErr)
		}
	}
}

// checkKind returns s and err, unless s is of a kind other than want: then
// it returns a *WrongKindError in place of both, because a person who pasted
// the wrong code should hear that before anything about its damage.
func checkKind(s Signal, want Kind, err error) (Signal, error) {
	if s.Kind != 0 && s.Kind != want {
		return Signal{}, &WrongKindError{Want: want, Got: s.Kind}
	}
	if err != nil {
		return Signal{}, err
	}
	return s, nil
}

// readLine reads up to and including the next newline, or to the end of
// the input, and returns errTooLong once the line passes limit bytes rather
// than holding it all.
func readLine(r *bufio.Reader, limit int) (string, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > limit {
			return "", errTooLong
		}
		line = append(line, chunk...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return string(line), err
		}
	}
}
