package testenv

import (
	"strings"
	"testing"
)

// recorder is a testing.TB that notes how a test would have ended.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                          {}
func (r *recorder) Skipf(format string, args ...any) { r.skipped = format }
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = format
}

func TestMissingSkipsOutsideCIAndFailsInIt(t *testing.T) {
	t.Setenv("CI", "")
	r := &recorder{TB: t}
	RequireTools(r, "no-such-program-anywhere")
	if r.skipped == "" || r.failed != "" {
		t.Errorf("outside CI a missing tool skipped %q and failed %q, want a skip", r.skipped, r.failed)
	}

	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	RequireTools(r, "no-such-program-anywhere")
	if r.failed == "" || !strings.Contains(r.failed, "CI must run") {
		t.Errorf("in CI a missing tool failed with %q, want a failure that says CI must run it", r.failed)
	}

	r = &recorder{TB: t}
	RequireTools(r, "sh")
	if r.skipped != "" || r.failed != "" {
		t.Errorf("an installed tool skipped %q and failed %q", r.skipped, r.failed)
	}
}
