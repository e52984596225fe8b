package transfer

import (
	"testing"
	"time"
)

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{40 << 20, "40.0 MiB"},
		{3 << 30, "3.0 GiB"},
		{5 << 40, "5.0 TiB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestProgressString(t *testing.T) {
	tests := []struct {
		p    Progress
		want string
	}{
		{Progress{Name: "a.jpg", Bytes: 12 << 20, Total: 40 << 20, Rate: 8 << 20, Left: 3500 * time.Millisecond},
			"a.jpg: 12.0 MiB of 40.0 MiB (30%), 8.0 MiB/s, 4s left"},
		{Progress{Name: "a.jpg", Total: 40 << 20}, "a.jpg: 0 B of 40.0 MiB (0%)"},
		{Progress{Name: "empty", Total: 0, Done: true}, "empty: 0 B of 0 B (100%)"},
		{Progress{Name: "a.jpg", Bytes: 40 << 20, Total: 40 << 20, Elapsed: 4 * time.Second, Done: true},
			"a.jpg: 40.0 MiB of 40.0 MiB (100%), 10.0 MiB/s on average, in 4s"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestMeter(t *testing.T) {
	var reports []Progress
	m := newMeter(func(p Progress) { reports = append(reports, p) }, "f", File, 1000)
	m.update(0)
	m.update(10) // too soon: not reported
	if len(reports) != 1 || reports[0].Bytes != 0 || reports[0].Rate != 0 {
		t.Fatalf("reports %+v", reports)
	}
	// Pretend the first report was an interval, and the start two seconds, ago.
	m.start = m.start.Add(-2 * time.Second)
	m.last = m.last.Add(-ProgressInterval)
	m.samples[0].at = m.samples[0].at.Add(-2 * time.Second)
	m.update(500)
	p := reports[len(reports)-1]
	if p.Bytes != 500 || p.Rate < 240 || p.Rate > 260 || p.Left < 1900*time.Millisecond || p.Left > 2100*time.Millisecond {
		t.Errorf("after 500 of 1000 bytes in 2 s: %+v", p)
	}
	m.done()
	if p := reports[len(reports)-1]; !p.Done || p.Bytes != 1000 {
		t.Errorf("the last report %+v", p)
	}
}
