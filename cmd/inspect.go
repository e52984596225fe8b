package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/control"
	"github.com/pigeon-call/pigeon/offline"
)

// InspectOptions holds the flags of 'pigeon inspect'.
type InspectOptions struct {
	IO       *IOStreams
	Code     string        // the code from the command line; "" to read it from SignalIn
	SignalIn string        // the file or FIFO to read the code from; "" or - for stdin
	MaxAge   time.Duration // the age past which 'pigeon answer' refuses an offer
	Now      func() time.Time
}

// NewCmdInspect builds 'pigeon inspect'. runF replaces the inspection in
// tests.
func NewCmdInspect(io *IOStreams, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "inspect [CODE]",
		Short: "Show what a code holds: kind, age, addresses, media, fingerprint",
		Long: `Decode a code, as 'pigeon call' or 'pigeon answer' prints it, and show what it
holds: whether it is an offer or an answer, how old it is, the addresses it
reveals (its candidates), the media, the certificate fingerprint, and its
format. Give the code as an argument, paste it when asked, or name the file
it is in with --signal-in, as for 'pigeon answer'. A restart code (/restart
in a call) shows which side made it, its call and its addresses.

Any format pigeon reads works: compact and full codes, their QR text, base64
JSON as pion's examples print it, raw JSON and raw SDP. Damage is reported
as it is when calling, with exit code 2.`,
		Example: `  pigeon inspect pg4o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodT-cGn5bINhGgH8AAAGo0zheNI4
  pigeon inspect --signal-in offer.txt
  pigeon inspect < offer.txt`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("%s takes one code, got %d arguments: quote a code that holds spaces", cmd.CommandPath(), len(args))}
			}
			if len(args) == 1 && opts.SignalIn != "" {
				return usageError{fmt.Errorf("%s takes the code as an argument or from --signal-in, not both", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Code = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(opts)
		},
	}
	cmd.Flags().DurationVar(&opts.MaxAge, "max-age", offline.DefaultMaxAge, "say whether an offer is older than this, as 'pigeon answer --max-age' would")
	cmd.Flags().StringVar(&opts.SignalIn, "signal-in", "", "read the code from this file or FIFO; - for stdin (default: the terminal)")
	return cmd
}

// inspectRun decodes the code and prints what it holds to stdout.
func inspectRun(opts *InspectOptions) error {
	first, r := opts.Code, bufio.NewReader(strings.NewReader(opts.Code))
	if opts.Code == "" {
		var in *bufio.Reader
		switch opts.SignalIn {
		case "", "-":
			if opts.IO.InTTY {
				fmt.Fprintln(opts.IO.ErrOut, "Paste a code and press Enter:")
			}
			in = bufio.NewReader(opts.IO.In)
		default:
			f, err := os.Open(opts.SignalIn)
			if err != nil {
				return fmt.Errorf("reading the code: %w", err)
			}
			defer f.Close()
			in = bufio.NewReader(f)
		}
		// A restart code is one line; any other code reads on from it.
		var err error
		if first, err = in.ReadString('\n'); err != nil && err != io.EOF {
			return fmt.Errorf("reading the code: %w", err)
		}
		r = bufio.NewReader(io.MultiReader(strings.NewReader(first), in))
	}
	if offline.IsRestartCode(first) {
		restart, err := offline.DecodeRestart(first)
		if err != nil {
			return err
		}
		printRestart(opts.IO.Out, first, restart)
		return nil
	}
	sig, err := offline.ReadAnySignal(r)
	if err != nil {
		return err
	}
	printDetails(opts.IO.Out, sig, opts.Now(), opts.MaxAge)
	return nil
}

// printDetails writes what sig holds as a table of one fact a line.
func printDetails(w io.Writer, sig offline.Signal, now time.Time, maxAge time.Duration) {
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
			row("", "older than --max-age %s: 'pigeon answer' would refuse it", maxAge)
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
	row("reveals", "%s", strings.TrimPrefix(control.DescribeReveals(sig), "this "+d.Kind.String()+" reveals "))
	tw.Flush()
}

// printRestart writes what a restart code holds as printDetails does for a
// signal.
func printRestart(w io.Writer, code string, r offline.Restart) {
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
	row("reveals", "%s", strings.TrimPrefix(control.DescribeRevealed("restart code", addresses), "this restart code reveals "))
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
