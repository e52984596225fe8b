package offline

import (
	"errors"
	"fmt"
)

// The errors a decoder returns, for callers to match with errors.Is. Each
// message is written for the person who pasted the code and says what to do
// next, so a command can print it as it is.
var (
	// ErrEmpty means the input ended before any code was seen.
	ErrEmpty = errors.New("no code was pasted: paste the code your peer sent, or pass it in a file with --signal-in FILE")

	// ErrTruncated means the input holds the beginning of a valid code but
	// not its end.
	ErrTruncated = errors.New("the code is incomplete: it was cut while copying; copy the whole code again, or pass it in a file with --signal-in FILE")

	// ErrCorrupt means the input is not a pigeon code, or is one that was
	// damaged: its checksum, its base64 or its content is wrong.
	ErrCorrupt = errors.New("this is not a pigeon code, or it was changed while copying: copy it again")

	// ErrWrongKind means an answer was read where an offer was expected, or
	// the reverse. The error returned is a *WrongKindError, which says which.
	ErrWrongKind = errors.New("this is the wrong kind of code: an offer was pasted where an answer was expected, or the reverse")

	// ErrUnsupportedVersion means the code was made by a newer version of
	// pigeon, in a format this one does not know.
	ErrUnsupportedVersion = errors.New("this code was made by a newer pigeon: update pigeon")
)

// WrongKindError is the error for a signal of the wrong kind. It matches
// ErrWrongKind with errors.Is, and its message tells the person which
// command printed the code they should have pasted.
type WrongKindError struct {
	Want Kind // the kind that was expected
	Got  Kind // the kind that was read
}

// Error says what was pasted, what was expected, and where to find the right
// code: an offer is printed by `pigeon call`, an answer by `pigeon answer`.
func (e *WrongKindError) Error() string {
	command := "pigeon call"
	if e.Want == Answer {
		command = "pigeon answer"
	}
	return fmt.Sprintf("this is %s, but %s was expected: paste the code your peer's `%s` printed",
		e.Got.article(), e.Want.article(), command)
}

// Is reports whether target is ErrWrongKind, so that callers need not know
// the concrete type to branch on it.
func (e *WrongKindError) Is(target error) bool { return target == ErrWrongKind }
