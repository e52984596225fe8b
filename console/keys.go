package console

import "unicode/utf8"

// keyCode is what a key does.
type keyCode int

const (
	keyNone keyCode = iota // a key the editor does not use
	keyRune                // a character to insert
	keyEnter
	keyEOF // Ctrl-D
	keyInterrupt
	keyLeft
	keyRight
	keyWordLeft
	keyWordRight
	keyHome
	keyEnd
	keyBackspace
	keyDelete
	keyKillStart // Ctrl-U
	keyKillEnd   // Ctrl-K
	keyKillWord  // Ctrl-W
	keyUp
	keyDown
	keyRedraw // Ctrl-L
)

type key struct {
	code keyCode
	r    rune
}

// controlKeys are the keys that are one control character.
var controlKeys = map[rune]keyCode{
	0x01: keyHome,      // Ctrl-A
	0x02: keyLeft,      // Ctrl-B
	0x03: keyInterrupt, // Ctrl-C
	0x04: keyEOF,       // Ctrl-D
	0x05: keyEnd,       // Ctrl-E
	0x06: keyRight,     // Ctrl-F
	0x08: keyBackspace, // Ctrl-H
	0x0b: keyKillEnd,   // Ctrl-K
	0x0c: keyRedraw,    // Ctrl-L
	0x0e: keyDown,      // Ctrl-N
	0x10: keyUp,        // Ctrl-P
	0x15: keyKillStart, // Ctrl-U
	0x17: keyKillWord,  // Ctrl-W
	0x7f: keyBackspace,
	'\r': keyEnter,
	'\n': keyEnter,
}

// readKey reads one key: a character, a control character, or an escape
// sequence of the keys that terminals send for arrows, Home, End and
// Delete (both the CSI and the SS3 forms).
func (e *Editor) readKey() (key, error) {
	r, _, err := e.in.ReadRune()
	if err != nil {
		return key{}, err
	}
	if r == utf8.RuneError {
		return key{code: keyNone}, nil
	}
	if r == 0x1b {
		return e.readEscape()
	}
	if code, ok := controlKeys[r]; ok {
		return key{code: code}, nil
	}
	if r == '\t' || !mustEscape(r) {
		return key{code: keyRune, r: r}, nil
	}
	return key{code: keyNone}, nil
}

// readEscape reads what follows an escape: a CSI or SS3 sequence, or a key
// pressed with Alt (Meta), which terminals send as escape and the key.
func (e *Editor) readEscape() (key, error) {
	r, _, err := e.in.ReadRune()
	if err != nil {
		return key{}, err
	}
	switch r {
	case '[', 'O':
	case 'b', 'B':
		return key{code: keyWordLeft}, nil
	case 'f', 'F':
		return key{code: keyWordRight}, nil
	case 0x7f, 0x08:
		return key{code: keyKillWord}, nil
	default:
		return key{code: keyNone}, nil
	}
	// Parameters (digits and ;), then one final character.
	var params []byte
	for {
		c, err := e.in.ReadByte()
		if err != nil {
			return key{}, err
		}
		if c >= 0x30 && c <= 0x3f || c >= 0x20 && c <= 0x2f {
			if len(params) < 16 {
				params = append(params, c)
			}
			continue
		}
		return csiKey(string(params), c), nil
	}
}

// csiKey names the key of a CSI or SS3 sequence with params and final.
func csiKey(params string, final byte) key {
	// A modifier (";5" for Ctrl, ";3" for Alt) makes arrows move by word.
	word := len(params) > 2 && params[:2] == "1;" && params[2:] != "2"
	switch final {
	case 'A':
		return key{code: keyUp}
	case 'B':
		return key{code: keyDown}
	case 'C':
		if word {
			return key{code: keyWordRight}
		}
		return key{code: keyRight}
	case 'D':
		if word {
			return key{code: keyWordLeft}
		}
		return key{code: keyLeft}
	case 'H':
		return key{code: keyHome}
	case 'F':
		return key{code: keyEnd}
	case '~':
		switch params {
		case "1", "7":
			return key{code: keyHome}
		case "4", "8":
			return key{code: keyEnd}
		case "3":
			return key{code: keyDelete}
		}
	}
	return key{code: keyNone}
}
