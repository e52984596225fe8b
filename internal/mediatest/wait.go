package mediatest

import (
	"testing"
	"time"
)

// WaitUntil polls cond until it holds, and fails tb if it does not within
// the time given: for what a test can see but is not told of, such as a
// picture on an X screen or sound a device has pulled.
func WaitUntil(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
