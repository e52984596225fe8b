package transfer

import "testing"

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1000", 1000}, {"500M", 500 << 20}, {"4GiB", 4 << 30}, {"1.5g", 3 << 29}, {"2 TB", 2 << 40}, {"7b", 7},
	} {
		if got, err := ParseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "big", "-1G", "4X", "1e30", "NaN", "nan k"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}

// FuzzParseSize: whatever is typed, ParseSize never panics, and a size it
// takes is neither negative nor past what an int64 holds with room.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"500M", "4GiB", "1.5 g", "7b", "NaN", "inf", "1e18t", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, err := ParseSize(text)
		if err == nil && (n < 0 || n > 1<<62) {
			t.Errorf("ParseSize(%q) = %d", text, n)
		}
	})
}
