package scan

import (
	"errors"

	"github.com/pigeon-call/pigeon/offline"
)

// The errors of this package, for callers to match with errors.Is. Each
// message is written for the person who gave the picture. ErrNoCode and
// ErrUnreadable also match offline.ErrEmpty and offline.ErrCorrupt, so a
// command maps a picture with no code to the exit code of a paste with none.
var (
	// ErrNoCode means no QR code was found in the picture.
	ErrNoCode error = &likeError{
		msg:  "no QR code found in the picture: take it again with the whole code in view, sharp and not too small",
		like: offline.ErrEmpty,
	}

	// ErrUnreadable means a QR code was seen but could not be read: it is
	// blurred, too small, partly covered or damaged.
	ErrUnreadable error = &likeError{
		msg:  "a QR code is in the picture but cannot be read: take it again closer, sharper and in full",
		like: offline.ErrCorrupt,
	}

	// ErrIncomplete means the picture holds some parts of a multi-part code
	// but not all of them.
	ErrIncomplete error = &likeError{
		msg:  "the picture holds only some of the numbered QR codes of a long code: take one with all of them in view",
		like: offline.ErrTruncated,
	}

	// ErrTooLarge means a picture is too large to decode.
	ErrTooLarge error = &likeError{
		msg:  "the picture is too large",
		like: offline.ErrCorrupt,
	}

	// errNotPart means a text is not one part of a multi-part code.
	errNotPart = errors.New("not a part of a multi-part code")
)

// likeError is an error of this package that also matches an error of
// package offline with the same meaning.
type likeError struct {
	msg  string
	like error
}

func (e *likeError) Error() string { return e.msg }

// Is reports whether target is the offline error e stands for.
func (e *likeError) Is(target error) bool { return target == e.like }
