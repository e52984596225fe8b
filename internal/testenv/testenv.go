// Package testenv says what a test needs of the machine: a test that
// cannot run here skips, except in CI (CI set), where scripts/setup.sh
// has installed everything and a missing tool is a failure.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI, which .ci/run marks with CI.
func InCI() bool { return os.Getenv("CI") != "" }

// Missing skips tb, saying why, or fails it in CI: a test that needs
// something CI has must run there.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	why := fmt.Sprintf(format, args...)
	if InCI() {
		tb.Fatalf("%s, and CI must run this test: run scripts/setup.sh", why)
	}
	tb.Skipf("%s: skipping", why)
}

// RequireTools calls Missing unless every named program is installed.
func RequireTools(tb testing.TB, names ...string) {
	tb.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			Missing(tb, "%s is not installed (scripts/setup.sh installs it)", name)
		}
	}
}

// LookPath returns the path of the first of names that is installed, or
// calls Missing.
func LookPath(tb testing.TB, names ...string) string {
	tb.Helper()
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	Missing(tb, "none of %q is installed (scripts/setup.sh installs it)", names)
	return ""
}
