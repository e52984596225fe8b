// Package hostile is what a peer that means harm sends pigeon, for the
// tests that attack it: a WebRTC peer that breaks pigeon's protocol on
// purpose, a tar stream whose few bytes ask for megabytes of disk, chat that
// steers terminals, and the table (docs/HOSTILE.md) the attacks fill in.
//
// The peer is pion with nothing of pigeon's session around it. It
// reads and writes pigeon's codes, opens pigeon's chat and negotiation
// channels (negotiated, ids 0 and 1), and then sends whatever a test tells
// it to: messages out of turn, floods, channels pigeon does not know. What
// the pigeon side sends on its channels is kept for the test to read.
//
// A test attacks a pigeon session, or a pigeon process, with it as a peer
// across the network could:
//
//	p, _ := hostile.New(hostile.Options{})
//	answer, _ := p.Answer(ctx, offerCode) // the pigeon caller's code
//	// ... hand answer to the caller ...
//	_ = p.WaitOpen(ctx)
//	_ = p.Send(hostile.Chat, map[string]any{"type": "reveal", "value": "00"})
//
// It imports nothing of pigeon's but its codes (package offline), so that
// any package's tests can use it.
package hostile
