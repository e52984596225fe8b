package hostile

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/ice/v4"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/offline"
)

// The labels of pigeon's own channels, which a Peer opens as pigeon does.
const (
	Chat      = "chat"
	Negotiate = "negotiate"
)

// Options configures a Peer.
type Options struct {
	// Interfaces limits the candidates to these interfaces; "lo" by
	// default, loopback included.
	Interfaces []string
	// Net, when set, replaces the machine's network (a vnet).
	Net transport.Net
}

// Message is one JSON message the pigeon side sent on a channel.
type Message map[string]any

// Type returns the message's "type", or "".
func (m Message) Type() string { return m.Text("type") }

// Text returns the string field key of the message, or "".
func (m Message) Text(key string) string {
	s, _ := m[key].(string)
	return s
}

// Peer is one hostile peer: a PeerConnection with pigeon's two channels.
type Peer struct {
	PC          *webrtc.PeerConnection
	Certificate webrtc.Certificate

	channels map[string]*webrtc.DataChannel
	open     chan struct{} // closed when the chat and negotiation channels are open
	opening  atomic.Int32  // those of them not open yet

	mu       sync.Mutex
	received map[string][]Message // by channel label
	arrived  chan struct{}        // closed and replaced on each message
	offer    offline.Signal       // the offer this peer answered, or made
}

// New makes a Peer, with its channels, ready to offer or answer.
func New(opts Options) (*Peer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	cert, err := webrtc.GenerateCertificate(key)
	if err != nil {
		return nil, err
	}
	p := &Peer{
		Certificate: *cert,
		channels:    map[string]*webrtc.DataChannel{},
		open:        make(chan struct{}),
		received:    map[string][]Message{},
		arrived:     make(chan struct{}),
	}
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	if opts.Net != nil {
		se.SetNet(opts.Net)
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	} else {
		keep := opts.Interfaces
		if keep == nil {
			keep = []string{"lo"}
		}
		se.SetInterfaceFilter(func(name string) bool { return slices.Contains(keep, name) })
		se.SetIncludeLoopbackCandidate(true)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se))
	if p.PC, err = api.NewPeerConnection(webrtc.Configuration{
		Certificates: []webrtc.Certificate{*cert},
		BundlePolicy: webrtc.BundlePolicyMaxBundle,
	}); err != nil {
		return nil, err
	}
	labels := []string{Chat, Negotiate}
	p.opening.Store(int32(len(labels)))
	for id, label := range labels {
		negotiated, id := true, uint16(id)
		dc, err := p.PC.CreateDataChannel(label, &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id})
		if err != nil {
			p.PC.Close()
			return nil, err
		}
		p.keep(dc)
		// Each opens on its own: a message sent on one not open yet
		// fails (io.ErrClosedPipe).
		dc.OnOpen(func() {
			if p.opening.Add(-1) == 0 {
				close(p.open)
			}
		})
	}
	p.PC.OnDataChannel(p.keep)
	return p, nil
}

// keep records what arrives on dc.
func (p *Peer) keep(dc *webrtc.DataChannel) {
	p.mu.Lock()
	if _, ok := p.channels[dc.Label()]; !ok {
		p.channels[dc.Label()] = dc
	}
	p.mu.Unlock()
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		var m Message
		if json.Unmarshal(msg.Data, &m) != nil {
			m = Message{"raw": string(msg.Data)}
		}
		p.mu.Lock()
		p.received[dc.Label()] = append(p.received[dc.Label()], m)
		close(p.arrived)
		p.arrived = make(chan struct{})
		p.mu.Unlock()
	})
}

// Fingerprint returns the SHA-256 fingerprint of this peer's certificate.
func (p *Peer) Fingerprint() []byte {
	fps, err := p.Certificate.GetFingerprints()
	if err != nil {
		return nil
	}
	for _, fp := range fps {
		if fp.Algorithm == "sha-256" {
			b, _ := hex.DecodeString(strings.ReplaceAll(fp.Value, ":", ""))
			return b
		}
	}
	return nil
}

// RemoteFingerprint returns the SHA-256 fingerprint of the certificate the
// pigeon side presented on the live connection, or nil before DTLS is up.
func (p *Peer) RemoteFingerprint() []byte {
	remote := p.PC.SCTP().Transport().GetRemoteCertificate()
	if len(remote) == 0 {
		return nil
	}
	sum := sha256.Sum256(remote)
	return sum[:]
}

// Offer returns this peer's offer as a code a pigeon answer reads.
func (p *Peer) Offer(ctx context.Context) (string, error) {
	offer, err := p.PC.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := p.complete(ctx, offer)
	if err != nil {
		return "", err
	}
	sig := offline.Signal{Kind: offline.Offer, SDP: sdp}
	code, err := offline.Encode(sig)
	if err != nil {
		return "", err
	}
	// The answer names the offer as its code decodes.
	if sig, err = offline.Decode(code); err != nil {
		return "", err
	}
	p.mu.Lock()
	p.offer = sig
	p.mu.Unlock()
	return code, nil
}

// Answer takes the code of a pigeon's offer and returns this peer's answer,
// as a code naming that offer.
func (p *Peer) Answer(ctx context.Context, offerCode string) (string, error) {
	sig, err := offline.Decode(offerCode)
	if err != nil {
		return "", fmt.Errorf("reading the offer: %w", err)
	}
	if sig.Kind != offline.Offer {
		return "", errors.New("reading the offer: it is an answer")
	}
	if err := p.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sig.SDP}); err != nil {
		return "", err
	}
	answer, err := p.PC.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := p.complete(ctx, answer)
	if err != nil {
		return "", err
	}
	return offline.Encode(offline.Signal{Kind: offline.Answer, SDP: sdp, AnswersTo: offline.OfferDigest(sig)})
}

// Accept takes the code of a pigeon's answer to this peer's offer.
func (p *Peer) Accept(answerCode string) error {
	sig, err := offline.Decode(answerCode)
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	p.mu.Lock()
	offer := p.offer
	p.mu.Unlock()
	if err := offline.CheckAnswer(offer, sig); err != nil {
		return err
	}
	return p.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sig.SDP})
}

func (p *Peer) complete(ctx context.Context, desc webrtc.SessionDescription) (string, error) {
	gathered := webrtc.GatheringCompletePromise(p.PC)
	if err := p.PC.SetLocalDescription(desc); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return p.PC.LocalDescription().SDP, nil
}

// WaitOpen waits for the chat and negotiation channels to open: DTLS and
// SCTP are up, and either channel takes a message.
func (p *Peer) WaitOpen(ctx context.Context) error {
	select {
	case <-p.open:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the chat and negotiation channels: %w", ctx.Err())
	}
}

// Channel returns the channel of that label: one of pigeon's, one this
// peer opened, or one the pigeon side opened; nil if there is none.
func (p *Peer) Channel(label string) *webrtc.DataChannel {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.channels[label]
}

// Open opens a data channel of its own, as any WebRTC peer may (announced,
// with DCEP), and records what the pigeon side sends on it.
func (p *Peer) Open(label string) (*webrtc.DataChannel, error) {
	dc, err := p.PC.CreateDataChannel(label, nil)
	if err != nil {
		return nil, err
	}
	p.keep(dc)
	return dc, nil
}

// Send sends v as JSON text on the channel of that label, as pigeon sends
// its messages.
func (p *Peer) Send(label string, v any) error {
	dc := p.Channel(label)
	if dc == nil {
		return fmt.Errorf("no %s channel", label)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return dc.SendText(string(data))
}

// Received returns the messages the pigeon side sent on the channel of that
// label so far, oldest first.
func (p *Peer) Received(label string) []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.received[label])
}

// Wait waits for a message on the channel of that label for which match
// returns true, among those received so far and those to come.
func (p *Peer) Wait(ctx context.Context, label string, match func(Message) bool) (Message, error) {
	for {
		p.mu.Lock()
		for _, m := range p.received[label] {
			if match(m) {
				p.mu.Unlock()
				return m, nil
			}
		}
		arrived := p.arrived
		p.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for a message on %s: %w", label, ctx.Err())
		}
	}
}

// OfType matches a message of the given type.
func OfType(typ string) func(Message) bool {
	return func(m Message) bool { return m.Type() == typ }
}

// Close closes the peer connection.
func (p *Peer) Close() error { return p.PC.Close() }
