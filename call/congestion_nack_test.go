package call

import "testing"

// TestNACKHistory: the history holds at least two seconds of the top bit
// rate, up to pion's default, in a size pion takes (a power of two).
func TestNACKHistory(t *testing.T) {
	for _, rate := range []int{0, minVideoBitRate, 500_000, defaultVideoBitRate, 2_500_000, 4_000_000, 50_000_000} {
		n := nackHistory(rate)
		if n&(n-1) != 0 || n == 0 {
			t.Errorf("%d bit/s: %d packets, not a power of two", rate, n)
		}
		r := rate
		if r == 0 {
			r = defaultVideoBitRate
		}
		if secs := float64(n) * 1200 * 8 / float64(r); secs < 2 && n < 1024 {
			t.Errorf("%d bit/s: %d packets hold %.1f s, want at least 2", rate, n, secs)
		}
		if n > 1024 {
			t.Errorf("%d bit/s: %d packets, more than pion's default", rate, n)
		}
	}
	if n := nackHistory(defaultVideoBitRate); n != 256 {
		t.Errorf("at the default bit rate: %d packets, want 256 (2.5 s)", n)
	}
}
