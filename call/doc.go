// Package call is the peer session of a pigeon call: one PeerConnection with
// the local tracks, the remote tracks, and the chat data channel, from the
// offer to the hang-up.
//
// A Session knows nothing of terminals or flags. Its caller hands it tracks,
// registers handlers for what it wants to be told (as pion's
// PeerConnection takes them: OnMessage, OnTrack, OnStateChange...), moves
// the offer and the answer between the peers by any means (pigeon pastes
// them), and waits for the call to end:
//
//	s, _ := call.New(call.Options{Role: call.Caller, Tracks: tracks})
//	s.OnMessage(func(text string) { fmt.Println(text) })
//	offer, _ := s.Offer(ctx)   // complete: every candidate is in it
//	// ... carry offer to the peer, and its answer back ...
//	_ = s.Accept(answer)
//	err := s.Wait()            // nil when either side hung up
//
// The callee does the same with Answer in place of Offer and Accept.
// Handlers go in before Offer or Answer: from then on the peer may send.
//
// The connection has one state machine, in the session (state.go): it
// ends a call whose connection does not come up, or back, in time, and
// tells each step (connected, reconnecting, reconnected, lost) to
// OnStateChange; what a person is told of it is the front end's to say.
// Changes to a call that is up (a track added) are negotiated over the
// call itself (negotiate.go); what fails there, or in an ICE restart, is
// logged and told to OnError.
//
// Once the chat channel is open, the two sides fix the safety number
// (SafetyNumber) by an exchange of commitments that a man in the middle
// cannot steer: verify.go says how, and why.
//
// A call whose path is lost finds a new one by itself when either side can
// still tell the other where it went (restart.go). When both moved at once,
// the candidates are carried by hand again, in restart codes (package
// offline): RestartCode on one side, ApplyRestartCode with it on the other,
// and the reply that returns back on the first (restartcode.go).
package call
