package cmd

import "testing"

func TestSizeFlag(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1000", 1000}, {"500M", 500 << 20}, {"4GiB", 4 << 30}, {"1.5g", 3 << 29}, {"2 TB", 2 << 40}, {"7b", 7},
	} {
		var s sizeFlag
		if err := s.Set(tt.in); err != nil || int64(s) != tt.want {
			t.Errorf("Set(%q) = %d, %v; want %d", tt.in, s, err, tt.want)
		}
	}
	for _, bad := range []string{"", "big", "-1G", "4X", "1e30"} {
		var s sizeFlag
		if err := s.Set(bad); err == nil {
			t.Errorf("Set(%q) = %d, want an error", bad, s)
		}
	}
	d := sizeFlag(defaultMaxFileSize)
	if got := d.String(); got != "4.0GiB" {
		t.Errorf("the default reads %q", got)
	}
}
