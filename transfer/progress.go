package transfer

import (
	"fmt"
	"time"
)

// ProgressInterval is how often a transfer reports its progress.
const ProgressInterval = 250 * time.Millisecond

// rateWindow is how far back the rate looks: long enough to smooth the
// bursts flow control makes, short enough to follow a changing network.
const rateWindow = 3 * time.Second

// Progress is where a transfer stands.
type Progress struct {
	Name  string // the name sent, or saved under
	Kind  Kind
	Bytes int64 // bytes so far: acknowledged by the peer, or saved
	Total int64 // bytes in all
	// Rate is the recent rate in bytes per second; 0 until it is known.
	Rate float64
	// Left is the time the rest should take at Rate; 0 when unknown.
	Left    time.Duration
	Elapsed time.Duration
	Done    bool // the last report: Bytes == Total
}

// Percent is the share done, from 0 to 100.
func (p Progress) Percent() float64 {
	if p.Total <= 0 {
		return 100
	}
	return 100 * float64(p.Bytes) / float64(p.Total)
}

// String describes the progress on one line, for a log or a pipe:
// "photo.jpg: 12.0 MiB of 40.0 MiB (30%), 8.1 MiB/s, 4s left".
func (p Progress) String() string {
	s := fmt.Sprintf("%s: %s of %s (%.0f%%)", p.Name, FormatBytes(p.Bytes), FormatBytes(p.Total), p.Percent())
	if p.Done {
		if p.Elapsed > 0 {
			s += fmt.Sprintf(", %s/s on average, in %s", FormatBytes(int64(float64(p.Total)/p.Elapsed.Seconds())), p.Elapsed.Round(100*time.Millisecond))
		}
		return s
	}
	if p.Rate > 0 {
		s += fmt.Sprintf(", %s/s", FormatBytes(int64(p.Rate)))
	}
	if p.Left > 0 {
		s += fmt.Sprintf(", %s left", p.Left.Round(time.Second))
	}
	return s
}

// FormatBytes writes n bytes for a person: "512 B", "1.5 KiB", "40.0 MiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// meter turns byte counts into Progress reports, at most one per
// ProgressInterval, and keeps the samples the rate is taken from.
type meter struct {
	report  func(Progress)
	base    Progress
	start   time.Time
	last    time.Time
	samples []sample // oldest first, within rateWindow
}

type sample struct {
	at    time.Time
	bytes int64
}

func newMeter(report func(Progress), name string, kind Kind, total int64) *meter {
	now := time.Now()
	m := &meter{report: report, base: Progress{Name: name, Kind: kind, Total: total}, start: now}
	m.samples = append(m.samples, sample{now, 0})
	return m
}

// update reports bytes if an interval has passed since the last report.
func (m *meter) update(bytes int64) {
	if m.report == nil {
		return
	}
	now := time.Now()
	if now.Sub(m.last) < ProgressInterval {
		return
	}
	m.last = now
	m.samples = append(m.samples, sample{now, bytes})
	for len(m.samples) > 2 && now.Sub(m.samples[1].at) > rateWindow {
		m.samples = m.samples[1:]
	}
	p := m.base
	p.Bytes = bytes
	p.Elapsed = now.Sub(m.start)
	first := m.samples[0]
	if dt := now.Sub(first.at).Seconds(); dt > 0 && bytes > first.bytes {
		p.Rate = float64(bytes-first.bytes) / dt
		p.Left = time.Duration(float64(p.Total-bytes) / p.Rate * float64(time.Second))
	}
	m.report(p)
}

// done reports the end.
func (m *meter) done() {
	if m.report == nil {
		return
	}
	p := m.base
	p.Bytes = p.Total
	p.Elapsed = time.Since(m.start)
	p.Done = true
	m.report(p)
}

// elapsed is the time since the transfer started.
func (m *meter) elapsed() time.Duration { return time.Since(m.start) }
