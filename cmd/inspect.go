package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
	var in io.Reader = strings.NewReader(opts.Code)
	switch {
	case opts.Code != "":
	case opts.SignalIn == "" || opts.SignalIn == "-":
		if opts.IO.InTTY {
			fmt.Fprintln(opts.IO.ErrOut, "Paste a code and press Enter:")
		}
		in = opts.IO.In
	default:
		f, err := os.Open(opts.SignalIn)
		if err != nil {
			return fmt.Errorf("reading the code: %w", err)
		}
		defer f.Close()
		in = f
	}
	stale := fmt.Sprintf("older than --max-age %s: 'pigeon answer' would refuse it", opts.MaxAge)
	return control.Inspect(opts.IO.Out, in, opts.Now(), opts.MaxAge, stale)
}
