package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/control"
	"github.com/pigeon-call/pigeon/trust"
)

// loadIdentity returns the certificate --identity keeps, made on first use,
// or nil for a new one each call.
func loadIdentity(opts *CallOptions, say func(string, ...any)) (*webrtc.Certificate, error) {
	if opts.Identity == "" {
		return nil, nil
	}
	cert, created, err := trust.LoadIdentity(opts.Identity)
	if err != nil {
		return nil, err
	}
	if created {
		say("made a new identity in %s: keep it private, it is who you are to your peers", opts.Identity)
	}
	return &cert, nil
}

// checkPeer returns call.Options.Verify for --peer and --verify, or nil
// without them: the peer's certificate is checked against the known peers,
// then the user is asked to confirm the safety number.
func checkPeer(opts *CallOptions, ver *control.Verifier, say func(string, ...any)) (func(context.Context, call.Verification) error, error) {
	if opts.Peer == "" && ver == nil {
		return nil, nil
	}
	known := trust.KnownPeers{Path: opts.KnownPeers}
	if opts.Peer != "" && known.Path == "" {
		var err error
		if known, err = trust.DefaultKnownPeers(); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, peer call.Verification) error {
		if opts.Peer != "" {
			first, err := known.Check(opts.Peer, peer.Fingerprint)
			if err != nil && !errors.Is(err, trust.ErrPeerChanged) {
				return fmt.Errorf("checking %s's certificate: %w", opts.Peer, err)
			}
			if err != nil {
				return err // its message is the warning, whole
			}
			if first {
				say("%s is now a known peer: their certificate is recorded in %s, and calls with --peer %s are checked against it (it means something only if they call with --identity)", opts.Peer, known.Path, opts.Peer)
			} else {
				say("%s's certificate is the one on record", opts.Peer)
			}
		}
		if ver != nil {
			return ver.Verify(ctx, peer)
		}
		return nil
	}, nil
}
