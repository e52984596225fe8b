package cmd

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/trust"
)

// Exit codes, documented in pigeon --help.
const (
	ExitOK          = 0 // the call ended with a hang-up, or the command did its job
	ExitError       = 1 // anything else that went wrong
	ExitBadInput    = 2 // a wrong flag, or a code that is damaged, cut or of the wrong kind
	ExitNoMedia     = 3 // a camera, microphone or screen that is missing or fails, or a media file that cannot play
	ExitNoConnect   = 4 // the peers could not reach each other
	ExitConnection  = 5 // the connection was lost, or closed without a hang-up
	ExitTampered    = 6 // the peer's certificate is not the one the code named
	ExitAnswer      = 7 // the answer was made for another offer, or the offer already has one
	ExitNotVerified = 8 // --verify: the user did not confirm the safety number
	ExitPeerChanged = 9 // --peer: the peer's certificate is not the one on record
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
  9  --peer: the peer's certificate is not the one on record for that name`

// usageError marks a mistake in the command line.
type usageError struct{ error }

// exitCode maps an error to the documented exit code, and to the line a
// person reads: what happened, and what to do.
func exitCode(err error) (int, string) {
	if err == nil {
		return ExitOK, ""
	}
	var usage usageError
	switch {
	case errors.As(err, &usage):
		return ExitBadInput, err.Error() + " (see --help)"
	case errors.Is(err, offline.ErrEmpty), errors.Is(err, offline.ErrTruncated),
		errors.Is(err, offline.ErrCorrupt), errors.Is(err, offline.ErrWrongKind),
		errors.Is(err, offline.ErrUnsupportedVersion), errors.Is(err, call.ErrWrongSignal),
		errors.Is(err, offline.ErrExpired):
		return ExitBadInput, err.Error()
	case errors.Is(err, capture.ErrNoCamera):
		return ExitNoMedia, fmt.Sprintf("%v: use --video test to send a test picture, or --video none to send no video", err)
	case errors.Is(err, capture.ErrNoMicrophone):
		return ExitNoMedia, fmt.Sprintf("%v: use --audio test to send a test tone, or --audio none to send no sound", err)
	case errors.Is(err, capture.ErrNoScreen):
		return ExitNoMedia, fmt.Sprintf("%v: run pigeon on an X11 desktop, or send --video camera or --video test", err)
	case errors.Is(err, capture.ErrMediaFile):
		return ExitNoMedia, fmt.Sprintf("%v: pigeon plays Y4M and IVF (VP8) video and WAV and Ogg Opus sound, "+
			"which ffmpeg makes of other files (ffmpeg -i IN -c:v libvpx -b:v 1M OUT.ivf, ffmpeg -i IN OUT.wav)", err)
	case errors.Is(err, capture.ErrDeviceFailed), errors.Is(err, capture.ErrUnknownSource):
		return ExitNoMedia, err.Error()
	case errors.Is(err, fs.ErrNotExist):
		// A file named on the command line (--signal-in, --scan-image,
		// --send) that is not there.
		return ExitBadInput, err.Error() + ": check the path"
	case errors.Is(err, call.ErrCertificateMismatch):
		return ExitTampered, err.Error()
	case errors.Is(err, offline.ErrAnswerMismatch), errors.Is(err, call.ErrAnswerUsed):
		return ExitAnswer, err.Error()
	case errors.Is(err, call.ErrNotVerified):
		return ExitNotVerified, err.Error()
	case errors.Is(err, trust.ErrPeerChanged):
		return ExitPeerChanged, err.Error()
	case errors.Is(err, trust.ErrIdentityPermissions):
		return ExitBadInput, err.Error()
	case errors.Is(err, call.ErrConnectFailed):
		return ExitNoConnect, fmt.Sprintf("%v: check that both sides are on one network, or add --stun or --turn", err)
	case errors.Is(err, call.ErrConnectionLost), errors.Is(err, call.ErrPeerClosed):
		return ExitConnection, err.Error()
	}
	return ExitError, err.Error()
}
