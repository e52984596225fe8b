// Package cmd is pigeon's command line: it turns flags into options for the
// capture, call, render and offline packages, wires them together, and maps
// what goes wrong to exit codes. Nothing else in pigeon knows about flags.
package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/internal/gcpace"
)

// Execute runs pigeon with the process's arguments and exits with the
// documented exit code.
func Execute() {
	if os.Getenv("GOGC") == "" {
		pace.Start(gcpace.Runtime)
	}
	os.Exit(Run(os.Args[1:], System()))
}

// pace is the collector's pace for the process; Execute starts it unless
// GOGC is set.
var pace gcpace.Pace

// Run runs pigeon with args on the given streams and returns the exit code.
func Run(args []string, io *IOStreams) int {
	root := NewCmdRoot(io)
	root.SetArgs(args)
	err := root.Execute()
	code, msg := exitCode(err)
	if msg != "" {
		// An error may quote a path or a code: nothing in it steers the terminal.
		fmt.Fprintf(io.ErrOut, "pigeon: %s\n", console.Escape(msg, console.KeepLineBreaks))
	}
	return code
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(io *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "pigeon",
		Short: "Serverless video calls: the offer and answer travel as text or QR codes",
		Long: `pigeon makes a video call between two people with no server in between.

The caller runs 'pigeon call' and gets a code (a line of text, and a QR code
on a terminal). The callee runs 'pigeon answer', pastes that code, and gets
a code back. Once the caller pastes it, audio, video and chat flow directly
between the two. The codes can travel any way at all: a messenger, an email,
a phone camera, a pipe between two scripts.`,
		Example: `  # person to person: each pastes the other's code when asked
  pigeon call
  pigeon answer

  # without a camera or microphone: a test picture and tone
  pigeon call --video test --audio test

  # two scripts through FIFOs, no terminal at all
  mkfifo o a
  pigeon call --video test --audio test --signal-out o --signal-in a &
  pigeon answer --video test --audio test --signal-in o --signal-out a`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	root.SetUsageFunc(usageWithExitCodes(root.UsageFunc()))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })

	root.AddCommand(
		NewCmdCall(io, nil),
		NewCmdAnswer(io, nil),
		NewCmdDevices(io),
		NewCmdInspect(io, nil),
		NewCmdVersion(io),
		NewCmdWeb(io, nil),
	)
	for _, c := range root.Commands() {
		c.SilenceUsage = true
	}
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("unknown command %q", args[0])}
		}
		return nil
	}
	return root
}

// usageWithExitCodes adds the exit codes to cobra's usage text. A function
// and not a template: executing a text/template reaches methods by name
// through reflection, which stops the linker from dropping the methods that
// the program never calls, in every package (a third of the executable).
func usageWithExitCodes(usage func(*cobra.Command) error) func(*cobra.Command) error {
	return func(c *cobra.Command) error {
		if err := usage(c); err != nil {
			return err
		}
		_, err := fmt.Fprintf(c.OutOrStderr(), "\n%s\n", exitCodesHelp)
		return err
	}
}
