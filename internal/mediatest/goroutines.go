package mediatest

import (
	"runtime"
	"testing"
	"time"
)

// CheckGoroutines fails t if, once its cleanups have run (those registered
// before this call run after the check), more goroutines run than when it
// was called: what the test started and did not stop. It waits up to 10 s
// for them to end.
func CheckGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			t.Errorf("%d goroutines before the test, %d after it:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}
