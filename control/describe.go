package control

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/offline"
)

// DescribePeerAddresses says where the peer's code points: the addresses
// this side will send its connectivity checks to, which a person can tell
// apart from a stranger's ("the peer's offer points to 192.168.1.5:5000
// (LAN)").
func DescribePeerAddresses(sig offline.Signal) string {
	return DescribePointsTo(sig.Kind.String(), offline.Inspect(sig).Candidates)
}

// DescribePointsTo says where the peer's code of kind what points, given
// its candidates; those that give no address to reach (a browser's TCP
// candidates of type active, on port 9) point nowhere.
func DescribePointsTo(what string, candidates []offline.Candidate) string {
	var to []string
	for _, c := range candidates {
		if !c.Reachable() {
			continue
		}
		host := console.Escape(c.Address, 0) // the peer wrote it
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		// Each media section of a description that is not bundled
		// lists its own candidates, often the same ones.
		if item := fmt.Sprintf("%s:%d (%s)", host, c.Port, c.Scope()); !slices.Contains(to, item) {
			to = append(to, item)
		}
	}
	if len(to) == 0 {
		return fmt.Sprintf("the peer's %s gives no address: it must reach this side first", what)
	}
	return fmt.Sprintf("the peer's %s points to %s", what, strings.Join(to, ", "))
}

// DescribeReveals says which addresses a code gives away to whoever reads
// it, and of what kind: "this offer reveals 192.168.1.5 (LAN)".
func DescribeReveals(sig offline.Signal) string {
	return DescribeRevealed(sig.Kind.String(), offline.Inspect(sig).Candidates)
}

// DescribeRevealed says which addresses this side's code of kind what
// gives away, given its candidates.
func DescribeRevealed(what string, candidates []offline.Candidate) string {
	var revealed, hidden []string
	for _, c := range candidates {
		if !c.Reveals() {
			hidden = append(hidden, c.Address)
			continue
		}
		what := c.Scope()
		if c.Type != "host" {
			what += ", " + console.Escape(c.Type, 0) // inspect shows the peer's codes too
		}
		item := fmt.Sprintf("%s (%s)", c.Address, what)
		if !slices.Contains(revealed, item) {
			revealed = append(revealed, item)
		}
	}
	msg := fmt.Sprintf("this %s reveals ", what)
	switch {
	case len(revealed) == 0 && len(hidden) == 0:
		return msg + "no address"
	case len(revealed) == 0:
		return msg + "no IP address, only mDNS names"
	}
	return msg + strings.Join(revealed, ", ")
}

// WriteDetails writes what sig holds as a table of one fact a line, for a
// person; an offer older than maxAge at now gets the line stale.
func WriteDetails(w io.Writer, sig offline.Signal, now time.Time, maxAge time.Duration, stale string) {
	d := offline.Inspect(sig)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, format string, args ...any) {
		// The code may come from anyone: nothing of it steers the terminal
		// or breaks the table.
		fmt.Fprintf(tw, "%s\t%s\n", name, console.Escape(fmt.Sprintf(format, args...), 0))
	}

	row("kind", "%s", d.Kind)
	row("format", "%s", describeFormat(sig))
	if sig.Pigeon {
		row("made by", "a pigeon, or pigeon's web page")
	} else {
		row("made by", "another WebRTC program: pigeon's chat with it is plain text")
	}
	switch {
	case d.Created.IsZero():
		row("made", "unknown: this format does not say")
	case now.Before(d.Created):
		row("made", "%s in the future, by this machine's clock (%s)", offline.FormatAge(d.Created.Sub(now)), d.Created.UTC().Format(time.DateTime+" MST"))
	default:
		row("made", "%s ago (%s)", offline.FormatAge(now.Sub(d.Created)), d.Created.UTC().Format(time.DateTime+" MST"))
		if err := offline.CheckAge(sig, now, maxAge); err != nil && d.Kind == offline.Offer {
			row("", "%s", stale)
		}
	}
	switch {
	case d.Kind == offline.Offer:
		row("offer digest", "%x (its answer must name it)", d.OfferDigest)
	case d.AnswersTo != nil:
		row("answers offer", "%x", d.AnswersTo)
	default:
		row("answers offer", "not said (an older pigeon's answer, or another WebRTC program's)")
	}
	row("fingerprint", "%s", orNone(d.Fingerprint))
	row("DTLS role", "%s", orNone(d.Setup))
	if len(d.Media) == 0 {
		row("media", "none")
	}
	for i, m := range d.Media {
		row(label(i, "media"), "%s", m)
	}
	if len(d.Candidates) == 0 {
		row("addresses", "none: the peer cannot reach this side, unless it is reached first")
	}
	for i, c := range d.Candidates {
		row(label(i, "addresses"), "%s, %s", c, c.Scope())
	}
	row("reveals", "%s", strings.TrimPrefix(DescribeReveals(sig), "this "+d.Kind.String()+" reveals "))
	tw.Flush()
}

// WriteRestart writes what a restart code holds as WriteDetails does for a
// signal.
func WriteRestart(w io.Writer, code string, r offline.Restart) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, format string, args ...any) {
		// The code may come from anyone: nothing of it steers the terminal
		// or breaks the table.
		fmt.Fprintf(tw, "%s\t%s\n", name, console.Escape(fmt.Sprintf(format, args...), 0))
	}
	row("kind", "restart code, to paste into the chat of a call whose path is lost")
	from := "the caller"
	if r.FromCallee {
		from = "the callee"
	}
	if r.Reply {
		from += ", in reply to the peer's restart code"
	}
	row("made by", "%s", from)
	row("format", "%d characters", len(offline.Clean(code)))
	row("call", "%x (a digest of both certificates: another call's code is refused)", r.Call)
	addresses := r.Addresses()
	for i, c := range addresses {
		row(label(i, "addresses"), "%s, %s", c, c.Scope())
	}
	row("reveals", "%s", strings.TrimPrefix(DescribeRevealed("restart code", addresses), "this restart code reveals "))
	tw.Flush()
}

// describeFormat names the format of sig and says how large its text is.
func describeFormat(sig offline.Signal) string {
	text := sig.SDP
	switch sig.Format {
	case offline.FormatCompact, offline.FormatFull, offline.FormatJSON:
		// Measured as pigeon writes it: the same in any way it was pasted.
		if code, err := offline.EncodeAs(sig, sig.Format); err == nil {
			text = code
		}
	}
	chars, version := offline.Measure(text)
	qr := "too long for a QR code"
	if version > 0 {
		qr = fmt.Sprintf("QR code version %d", version)
	}
	return fmt.Sprintf("%s (%d characters, %s)", sig.Format, chars, qr)
}

// label names the first row of a group; the others go unnamed.
func label(i int, name string) string {
	if i == 0 {
		return name
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Inspect reads one code from r, of any kind pigeon reads (restart codes
// included), and writes what it holds to w, as WriteDetails and
// WriteRestart do; stale is what is said of an offer older than maxAge.
func Inspect(w io.Writer, r io.Reader, now time.Time, maxAge time.Duration, stale string) error {
	in := bufio.NewReader(r)
	// A restart code is one line; any other code reads on from it.
	first, err := in.ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("reading the code: %w", err)
	}
	if offline.IsRestartCode(first) {
		restart, err := offline.DecodeRestart(first)
		if err != nil {
			return err
		}
		WriteRestart(w, first, restart)
		return nil
	}
	sig, err := offline.ReadAnySignal(bufio.NewReader(io.MultiReader(strings.NewReader(first), in)))
	if err != nil {
		return err
	}
	WriteDetails(w, sig, now, maxAge, stale)
	return nil
}
