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

// ReadSignal reads one signal of the wanted kind from r, line by line, in
// any format Decode reads.
//
// It returns as soon as a complete signal has been read, without waiting
// for the end of the input: r may be a terminal or a FIFO that stays open,
// and whatever follows the line that ends the signal (chat lines, say, or the
// closing line of a code fence) stays unread in r for the caller. A code
// wrapped over several lines is put back together, and lines that hold
// nothing once cleaned (blank lines, fence lines, lone quotes) are skipped,
// before the code as well as inside it. Every line of a code is cleaned as
// Clean does. A raw SDP, whose end nothing marks, ends at a blank line, a
// fence line, or the end of the input; raw JSON ends with its closing brace.
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
	s, err := readSignal(r, want)
	return checkKind(s, want, err)
}

// ReadAnySignal reads one signal as ReadSignal does, but of either kind: for
// a reader that only wants to look at it. A raw SDP that does not say
// whether it is an offer or an answer is refused with ErrCorrupt.
func ReadAnySignal(r *bufio.Reader) (Signal, error) {
	s, err := readSignal(r, 0)
	if err != nil {
		return Signal{}, err
	}
	return s, nil
}

// decodeText decodes a whole text that holds one signal, as Decode does.
func decodeText(text string) (Signal, error) {
	r := bufio.NewReader(strings.NewReader(text))
	s, err := readSignal(r, 0)
	if err != nil {
		return Signal{}, err
	}
	if rest, _ := io.ReadAll(r); Clean(string(rest)) != "" {
		return Signal{}, ErrCorrupt
	}
	return s, nil
}

// decodeOnly decodes text as decodeText does, and refuses a signal in any
// format but f: it decodes for a Codec of that format.
func decodeOnly(text string, f Format) (Signal, error) {
	s, err := decodeText(text)
	if err == nil && s.Format != f {
		return Signal{}, ErrCorrupt
	}
	return s, err
}

// signalReader reads a signal of one format, a line at a time.
type signalReader interface {
	// line takes the next line. It says done once the signal is complete,
	// and returns an error as soon as the signal cannot be one, with the
	// kind in the Signal if it knows it.
	line(text string) (s Signal, done bool, err error)
	// end is told that the input ended.
	end() (Signal, error)
	// size is how much of the input the reader holds.
	size() int
}

// readSignal reads one signal as ReadSignal does, of any kind. want, if
// not 0, is the kind a raw SDP is taken to be when nothing in it says. It
// returns the kind with an error when it knows it.
func readSignal(r *bufio.Reader, want Kind) (Signal, error) {
	s, err := readAnyFormat(r, want)
	if err != nil {
		return s, err
	}
	// The answer's digest of its offer, in the SDP of a full or JSON code,
	// and the mark of a pigeon's description.
	return takeMarks(s)
}

// readAnyFormat reads one signal as readSignal does, with what its SDP
// holds left there.
func readAnyFormat(r *bufio.Reader, want Kind) (Signal, error) {
	var sr signalReader // chosen by the first line that holds something
	for {
		held := 0
		if sr != nil {
			held = sr.size()
		}
		line, readErr := readLine(r, maxInput-held)
		if errors.Is(readErr, errTooLong) {
			return Signal{}, ErrCorrupt
		}
		if sr == nil {
			start := strings.TrimLeft(strings.TrimSpace(line), "> \t")
			unquoted := strings.TrimLeft(start, quotes)
			switch {
			case unquoted == "", isFence(start):
				// Nothing yet: blank lines and fences before a signal.
			case strings.HasPrefix(unquoted, "v="):
				sr = &sdpReader{want: want}
			case strings.HasPrefix(unquoted, "{"):
				sr = &jsonReader{}
			default:
				sr = &codeReader{}
			}
		}
		if sr != nil && line != "" {
			if s, done, err := sr.line(line); done || err != nil {
				return s, err
			}
		}

		switch {
		case readErr == io.EOF && sr == nil:
			return Signal{}, ErrEmpty
		case readErr == io.EOF:
			return sr.end()
		case readErr != nil:
			return Signal{}, fmt.Errorf("reading the %s: %w", orSignal(want), readErr)
		}
	}
}

// orSignal names the kind for a message, or says "signal" for any kind.
func orSignal(k Kind) string {
	if k.valid() {
		return k.String()
	}
	return "signal"
}

// isFence reports whether s is a markdown code fence line.
func isFence(s string) bool {
	return fenceLen(s) > 0 && !isCodeStart(strings.TrimLeft(s, "`~"))
}

// codeReader reads a pigeon code, or base64 of JSON: one line, or several
// that a wrap made of one.
type codeReader struct{ code strings.Builder }

func (c *codeReader) size() int { return c.code.Len() }

func (c *codeReader) line(text string) (Signal, bool, error) {
	cleaned := Clean(text)
	if cleaned == "" {
		return Signal{}, false, nil
	}
	c.code.WriteString(cleaned)
	s, err := decodeAnyCode(c.code.String())
	switch {
	case err == nil:
		return s, true, nil
	case !errors.Is(err, ErrTruncated):
		return s, false, err
	}
	// Truncated: the rest of the code is on the next lines.
	return Signal{}, false, nil
}

func (c *codeReader) end() (Signal, error) {
	if c.code.Len() == 0 {
		return Signal{}, ErrEmpty
	}
	s, _ := decodeAnyCode(c.code.String())
	return Signal{Kind: s.Kind}, ErrTruncated
}

// decodeAnyCode decodes a cleaned code, or base64 of JSON, which starts
// with "e" as all base64 of "{" does.
func decodeAnyCode(text string) (Signal, error) {
	if strings.HasPrefix(text, "e") {
		return decodeJSONBase64(text)
	}
	return decodeCode(text)
}

// sdpReader reads a raw SDP, until a blank line or a fence line. Its lines
// lose the "> " quote markers and the white space around them, and are put
// back together with CRLF, as SDP wants.
type sdpReader struct {
	sdp  strings.Builder
	want Kind
}

func (r *sdpReader) size() int { return r.sdp.Len() }

func (r *sdpReader) line(text string) (Signal, bool, error) {
	text = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(text), "> \t"))
	if text == "" || isFence(text) {
		s, err := r.end()
		return s, err == nil, err
	}
	if len(text) < 2 || text[1] != '=' {
		return Signal{}, false, ErrCorrupt
	}
	r.sdp.WriteString(text + "\r\n")
	return Signal{}, false, nil
}

func (r *sdpReader) end() (Signal, error) {
	sdp := r.sdp.String()
	s := Signal{Kind: sdpKind(sdp, r.want), SDP: sdp, Created: originTime(sdp), Format: FormatSDP}
	switch {
	case len(sdp) > maxSDP || !looksLikeSDP([]byte(sdp), true):
		return Signal{}, ErrCorrupt
	case s.Kind == 0:
		// Nothing says whether it is an offer or an answer.
		return Signal{}, ErrCorrupt
	}
	return s, nil
}

// sdpKind tells an offer from an answer by its DTLS role (RFC 8842): an
// offer leaves the role open with actpass, an answer takes one. Without a
// role, the kind is want.
func sdpKind(sdp string, want Kind) Kind {
	for line := range strings.Lines(sdp) {
		switch strings.TrimSpace(line) {
		case "a=setup:actpass":
			return Offer
		case "a=setup:active", "a=setup:passive":
			return Answer
		}
	}
	return want
}

// jsonReader reads raw JSON until the brace that closes its object. What
// follows that brace on its line goes with it.
type jsonReader struct{ text strings.Builder }

func (j *jsonReader) size() int { return j.text.Len() }

func (j *jsonReader) line(text string) (Signal, bool, error) {
	if j.text.Len() == 0 {
		text = text[strings.IndexByte(text, '{'):] // the first line holds one
	} else {
		text = strings.TrimLeft(text, " \t>") // quote markers; JSON never starts a line with ">"
	}
	j.text.WriteString(text)
	b := []byte(j.text.String())
	switch end := jsonEnd(b); {
	case end < 0:
		return Signal{}, false, ErrCorrupt
	case end == 0:
		return Signal{}, false, nil
	default:
		s, err := parseJSON(b[:end])
		return s, err == nil, err
	}
}

func (j *jsonReader) end() (Signal, error) { return Signal{}, ErrTruncated }

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
