package offline

import (
	"errors"
	"fmt"
	"time"
)

// The errors a decoder returns, for callers to match with errors.Is. Each
// message is written for the person who pasted the code and says what
// happened, and what to do with the code itself; a command adds the flag
// that helps (pigeon's exit.go).
var (
	// ErrEmpty means the input ended before any code was seen.
	ErrEmpty = errors.New("no code was pasted: paste the code your peer sent")

	// ErrTruncated means the input holds the beginning of a valid code but
	// not its end.
	ErrTruncated = errors.New("the code is incomplete: it was cut while copying, or by the terminal's limit on what a paste may hold; copy the whole code again")

	// ErrCorrupt means the input is not a pigeon code, or is one that was
	// damaged: its checksum, its base64 or its content is wrong.
	ErrCorrupt = errors.New("this is not a pigeon code, or it was changed while copying: copy it again")

	// ErrWrongKind means an answer was read where an offer was expected, or
	// the reverse. The error returned is a *WrongKindError, which says which.
	ErrWrongKind = errors.New("this is the wrong kind of code: an offer was pasted where an answer was expected, or the reverse")

	// ErrUnsupportedVersion means the code was made by a newer version of
	// pigeon, in a format this one does not know.
	ErrUnsupportedVersion = errors.New("this code was made by a newer pigeon: update pigeon")

	// ErrOutdated means the code is a compact code of an older pigeon
	// (pg2, pg3), which carries no ICE secret: its maker's connectivity
	// checks can be forged by whoever watches the network.
	ErrOutdated = errors.New("this code was made by an older pigeon, whose compact codes let anyone watching the network forge its connectivity checks: ask your peer to update pigeon")

	// ErrExpired means the signal is older than the caller allows. The
	// error returned is an *ExpiredError, which says how old.
	ErrExpired = errors.New("this code is too old: ask your peer for a new one")

	// ErrAnswerMismatch means an answer names an offer other than the one
	// it was pasted for: it was made for another call, or is an earlier
	// call's answer pasted again. The error returned is an
	// *AnswerMismatchError.
	ErrAnswerMismatch = errors.New("this answer was made for another offer, not the one this pigeon printed: ask your peer to answer this call's offer")

	// ErrNotCompact means a session cannot be written as a compact code:
	// it holds something a peer could not rebuild from one. Encode falls
	// back to the full form; only EncodeAs(s, FormatCompact) returns it.
	ErrNotCompact = errors.New("this session cannot be written as a compact code")
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

// AnswerMismatchError is the error for an answer made for another offer. It
// matches ErrAnswerMismatch with errors.Is.
type AnswerMismatchError struct {
	Offer     []byte // the digest of the offer this side sent
	AnswersTo []byte // the digest the answer names
}

// Error says which offer the answer was made for, by its digest as pigeon
// inspect shows it, and what to do.
func (e *AnswerMismatchError) Error() string {
	return fmt.Sprintf("this answer was made for another offer (%x), not the one this pigeon printed (%x): "+
		"it belongs to another call, is an earlier call's answer pasted again, or your offer was altered on its way; "+
		"ask your peer to answer this call's offer, sent again by another way if it keeps happening",
		e.AnswersTo, e.Offer)
}

// Is reports whether target is ErrAnswerMismatch.
func (e *AnswerMismatchError) Is(target error) bool { return target == ErrAnswerMismatch }

// ExpiredError is the error for a signal older than the allowed age. It
// matches ErrExpired with errors.Is.
type ExpiredError struct {
	Kind   Kind
	Age    time.Duration // how old the signal is
	MaxAge time.Duration // how old it may be
}

// Error says how old the signal is, and what to do: a stale offer belongs to
// a call its maker has probably given up on, but a clock that is wrong on
// either machine makes a fresh one look old, so the message says that too.
func (e *ExpiredError) Error() string {
	return fmt.Sprintf("this %s was made %s ago, more than the %s allowed: ask your peer for a new one; "+
		"if it is new, a clock is wrong on one of the machines: set it right",
		e.Kind, FormatAge(e.Age), FormatAge(e.MaxAge))
}

// Is reports whether target is ErrExpired.
func (e *ExpiredError) Is(target error) bool { return target == ErrExpired }

// FormatAge writes a duration as a person reads an age: "40 seconds",
// "25 minutes", "3 hours 5 minutes", "2 days"; to the second under a
// minute, to the minute under a day, and to the day beyond.
func FormatAge(d time.Duration) string {
	unit := func(n time.Duration, name string) string {
		if n == 1 {
			return "1 " + name
		}
		return fmt.Sprintf("%d %ss", n, name)
	}
	d = d.Abs().Round(time.Second)
	if d < time.Minute {
		return unit(d/time.Second, "second")
	}
	d = d.Round(time.Minute)
	switch {
	case d < time.Hour:
		return unit(d/time.Minute, "minute")
	case d < 24*time.Hour && d%time.Hour == 0:
		return unit(d/time.Hour, "hour")
	case d < 24*time.Hour:
		return unit(d/time.Hour, "hour") + " " + unit(d%time.Hour/time.Minute, "minute")
	}
	return unit(d.Round(24*time.Hour)/(24*time.Hour), "day")
}
