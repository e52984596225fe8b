package cmd

import (
	"errors"
	"io/fs"
	"slices"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/control"
	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/transfer"
	"github.com/pigeon-call/pigeon/trust"
	"github.com/pigeon-call/pigeon/web"
)

// Exit codes, documented in pigeon --help.
const (
	ExitOK          = 0  // the call ended with a hang-up, or the command did its job
	ExitError       = 1  // anything else that went wrong
	ExitBadInput    = 2  // a wrong flag, or a code that is damaged, cut or of the wrong kind
	ExitNoMedia     = 3  // a camera, microphone or screen that is missing or fails, or a media file that cannot play
	ExitNoConnect   = 4  // the peers could not reach each other
	ExitConnection  = 5  // the connection was lost, or closed without a hang-up
	ExitTampered    = 6  // the peer's certificate is not the one the code named
	ExitAnswer      = 7  // the answer was made for another offer, or the offer already has one
	ExitNotVerified = 8  // --verify: the user did not confirm the safety number
	ExitPeerChanged = 9  // --peer: the peer's certificate is not the one on record
	ExitCommitment  = 10 // the peer broke the safety number's exchange: someone tried to choose the number
)

const exitCodesHelp = `Exit codes:
  0  the call ended with a hang-up (either side), or the command did its job
  1  an unexpected error
  2  bad input: a wrong flag, a file that is not there, or a code that is damaged, cut short,
     too old or of the wrong kind
  3  a camera, microphone or screen (--video screen) is missing or failed, or a media file
     (--video FILE, --audio FILE) cannot be played
  4  could not connect to the peer
  5  the connection was lost, or the peer closed it without hanging up
  6  the peer's certificate does not match the code: it was altered, or is another call's
  7  the answer was made for another offer (another call's, or an earlier one's), or this
     call already has an answer
  8  --verify: the safety number was not confirmed (the numbers differ, or the input ended)
  9  --peer: the peer's certificate is not the one on record for that name
  10 the peer's safety number value did not match what it committed to: someone in the
     middle tried to choose the safety number`

// usageError marks a mistake in the command line.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// advice is what a person can try, on pigeon's command line or in its
// chat, for errors whose package says only what happened: the flag or the
// command that helps. advise adds it.
var advice = []struct {
	err error
	try string
}{
	{offline.ErrEmpty, ", or pass it in a file with --signal-in FILE"},
	{offline.ErrTruncated, ", or save it in a file and pass --signal-in FILE"},
	{offline.ErrOutdated, " (or to send its code with --format full)"},
	{offline.ErrExpired, ", or pass --max-age 0"},
	{offline.ErrRestartMismatch, ": ask your peer to type /restart in this call and send you the code it prints"},
	{call.ErrAnswerUsed, " (to call someone else, start another pigeon call)"},
	{call.ErrNoRestartNeeded, " (/restart is for a call that stays reconnecting because both sides changed networks)"},
	{capture.ErrSoundNotVideo, ": give it to --audio"},
	{capture.ErrVideoNotSound, ": give it to --video"},
	{trust.ErrNoKnownPeersFile, " (pass --known-peers FILE)"},
	{transfer.ErrOverMaxSize, "; --max-file-size takes a larger one"},
	{web.ErrListen, ": give another address or port"},
	{web.ErrPlainLAN, ": add --tls, or --insecure-lan to serve it so anyway"},
	{web.ErrNoConfigDir, ": give --tls-cert FILE"},
	{control.ErrScanCamera, ": leave out --scan and paste the code, or scan a picture of it with --scan-image FILE"},
}

// advise returns err's message with what to try, where pigeon knows it:
// the line a person reads, at the end of pigeon or in the call.
func advise(err error) string {
	msg := err.Error()
	for _, a := range advice {
		if errors.Is(err, a.err) {
			return msg + a.try
		}
	}
	return msg
}

// exitCode maps an error to the documented exit code, and to the line a
// person reads: what happened, and what to do.
func exitCode(err error) (int, string) {
	if err == nil {
		return ExitOK, ""
	}
	code, msg := ExitError, advise(err)
	if errors.As(err, new(usageError)) {
		return ExitBadInput, msg + " (see --help)"
	}
	for _, e := range exits {
		if slices.ContainsFunc(e.errs, func(target error) bool { return errors.Is(err, target) }) {
			code = e.code
			msg += e.try
			break
		}
	}
	return code, msg
}

// exits are the exit codes of the errors callers branch on, each with what
// to try beyond advice, in the order they are matched.
var exits = []struct {
	errs []error
	code int
	try  string
}{
	{[]error{offline.ErrEmpty, offline.ErrTruncated, offline.ErrCorrupt, offline.ErrWrongKind, offline.ErrUnsupportedVersion,
		offline.ErrOutdated, call.ErrWrongSignal, offline.ErrExpired}, ExitBadInput, ""},
	{[]error{capture.ErrNoCamera}, ExitNoMedia, ": use --video test to send a test picture, or --video none to send no video"},
	{[]error{capture.ErrNoMicrophone}, ExitNoMedia, ": use --audio test to send a test tone, or --audio none to send no sound"},
	{[]error{capture.ErrNoScreen}, ExitNoMedia, ": run pigeon on an X11 desktop, or send --video camera or --video test"},
	{[]error{capture.ErrMediaFile}, ExitNoMedia, ": pigeon plays Y4M and IVF (VP8) video and WAV and Ogg Opus sound, " +
		"which ffmpeg makes of other files (ffmpeg -i IN -c:v libvpx -b:v 1M OUT.ivf, ffmpeg -i IN OUT.wav)"},
	{[]error{capture.ErrDeviceFailed, capture.ErrUnknownSource}, ExitNoMedia, ""},
	// A path given on the command line (--signal-out, --qr-png, --record)
	// that pigeon will not write to.
	{[]error{private.ErrSymlink, private.ErrNotFile}, ExitBadInput, ""},
	// A file named on the command line (--signal-in, --scan-image, --send)
	// that is not there.
	{[]error{fs.ErrNotExist}, ExitBadInput, ": check the path"},
	{[]error{call.ErrCertificateMismatch}, ExitTampered, ""},
	{[]error{offline.ErrAnswerMismatch, call.ErrAnswerUsed}, ExitAnswer, ""},
	{[]error{call.ErrCommitmentMismatch}, ExitCommitment, ""},
	{[]error{call.ErrNotVerified}, ExitNotVerified, ""},
	{[]error{trust.ErrPeerChanged}, ExitPeerChanged, ""},
	{[]error{trust.ErrIdentityPermissions}, ExitBadInput, ""},
	{[]error{call.ErrConnectFailed}, ExitNoConnect, ": check that both sides are on one network, or add --stun or --turn"},
	{[]error{call.ErrConnectionLost, call.ErrPeerClosed}, ExitConnection, ""},
}
