package call

import "errors"

var (
	// ErrConnectFailed means the peers never reached each other: no
	// candidate pair worked, or not in time.
	ErrConnectFailed = errors.New("could not connect to the peer")

	// ErrConnectionLost means a call that was up lost its path and did not
	// get it back in time.
	ErrConnectionLost = errors.New("the connection to the peer was lost")

	// ErrPeerClosed means the peer closed the connection without hanging up.
	ErrPeerClosed = errors.New("the peer closed the connection without hanging up")

	// ErrCertificateMismatch means the peer reached is not the one the code
	// named: its certificate does not match the code's fingerprint.
	ErrCertificateMismatch = errors.New("the peer's certificate does not match the code you pasted: the code was altered or belongs to another call")

	// ErrAnswerUsed means the caller was handed a second answer: a call
	// takes one answer to its offer, and another one, replayed or from a
	// second peer, is refused.
	ErrAnswerUsed = errors.New("this call has already taken an answer to its offer: a second answer is refused")

	// ErrNotVerified means the user did not confirm the safety number
	// (Options.Verify said no): the call was ended before any media or chat
	// went through.
	ErrNotVerified = errors.New("the safety number was not confirmed: the call was ended before any media or chat went through; someone may be in the middle, so exchange new codes by another way")

	// ErrCommitmentMismatch means the peer broke the exchange that fixes
	// the safety number: it revealed a value other than the one it
	// committed to, or revealed before committing. A pigeon never does;
	// someone in the middle who tries to choose the number does. The error
	// returned says what the peer sent.
	ErrCommitmentMismatch = errors.New("the peer broke the exchange that fixes the safety number: someone in the middle tried to choose the safety number, so the call was ended; exchange new codes by another way (a phone call, in person)")

	// ErrNoSafetyNumber means the peer did not take part in the exchange
	// that fixes the safety number: it is an older pigeon, or another
	// program. Nothing then shows whether someone is in the middle.
	ErrNoSafetyNumber = errors.New("the peer exchanged no safety number (it is an older pigeon, or another program): nothing shows whether someone is in the middle")

	// ErrNotConnected means the call is not up yet.
	ErrNotConnected = errors.New("the call is not connected yet")

	// ErrNoRestartNeeded means a restart code was asked for while the
	// path to the peer works.
	ErrNoRestartNeeded = errors.New("the call is connected: no restart code is needed")

	// ErrPeerNotPigeon means a step needs a peer that speaks pigeon's
	// call channels, and this one is another WebRTC program (PeerOther).
	ErrPeerNotPigeon = errors.New("the peer is another WebRTC program, not a pigeon: it takes no files, no media added to a call that is up, and no restart code")

	// ErrRenegotiation means a change to a call that is up (a track
	// added) could not be agreed with the peer; the call goes on as it
	// was. Session.OnError is told it, wrapped with what failed.
	ErrRenegotiation = errors.New("the change to the call could not be negotiated")

	// ErrRestartFailed means an ICE restart, to find a new path to the
	// peer, failed on this side, or found no path in a few seconds; the
	// call goes on looking until its timeout. Session.OnError is told it,
	// wrapped with what failed.
	ErrRestartFailed = errors.New("restarting ICE failed")

	// ErrWrongSignal means a session description was handed to the wrong
	// step: an answer to Answer, or an offer to Accept.
	ErrWrongSignal = errors.New("wrong kind of session description")

	// ErrEnded means the call has already ended.
	ErrEnded = errors.New("the call has ended")
)
