package offline

import "time"

// DefaultMaxAge is how old an offer may be by default: long enough for a
// person to carry it by hand, short enough that an offer found later in a
// chat history is not mistaken for a new one, since its maker has given up
// waiting by then.
const DefaultMaxAge = 10 * time.Minute

// CheckAge returns an *ExpiredError if s was made more than maxAge before
// now. A signal that does not say when it was made, and any signal when
// maxAge is 0 or less, pass. So does one made after now: a clock that is a
// little ahead on the peer's machine must not refuse a fresh signal.
func CheckAge(s Signal, now time.Time, maxAge time.Duration) error {
	if s.Created.IsZero() || maxAge <= 0 {
		return nil
	}
	if age := now.Sub(s.Created); age > maxAge {
		return &ExpiredError{Kind: s.Kind, Age: age, MaxAge: maxAge}
	}
	return nil
}
