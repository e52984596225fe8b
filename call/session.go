package call

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/interceptor/pkg/stats"
	"github.com/pion/logging"
	"github.com/pion/rtcp"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/pionlog"
	"github.com/pigeon-call/pigeon/transfer"
)

// Role says which side of the call a session is.
type Role int

const (
	// Caller makes the offer.
	Caller Role = iota
	// Callee answers it.
	Callee
)

func (r Role) String() string {
	if r == Caller {
		return "caller"
	}
	return "callee"
}

// Defaults of Options.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultPasteWait = 10 * time.Minute

	// stunGatherTimeout bounds how long a STUN server that never answers may
	// hold up the offer or answer; pion waits 5 s by default.
	stunGatherTimeout = time.Second
	// hangUpGrace is how long a hang-up waits for the goodbye to leave.
	hangUpGrace = time.Second
	// byeGrace is how long a close from the peer waits for its goodbye.
	byeGrace = 250 * time.Millisecond
	// closeGrace is how long closing the connection may take.
	closeGrace = 2 * time.Second

	// A peer that sends nothing for disconnectedAfter is reported as not
	// responding; keep-alives every keepAliveEvery keep a quiet call from
	// looking like that.
	disconnectedAfter = 3 * time.Second
	keepAliveEvery    = time.Second
	sctpRTOMax        = 2 * time.Second
)

// Options configures a Session. Only Role is required.
type Options struct {
	Role Role

	// Tracks are the local media to send; pion's TrackLocal, which
	// mediadevices tracks are. The session does not close them.
	Tracks []webrtc.TrackLocal

	// ICEServers are STUN and TURN servers. None by default: host
	// candidates only, which is what a LAN or an air-gapped network has.
	ICEServers []webrtc.ICEServer

	// Interfaces, when set, limits candidates to these network interfaces
	// (by name, such as "eth0" or "lo"); a loopback interface listed here is
	// used although WebRTC leaves loopback out by default.
	Interfaces []string

	// HideAddresses publishes host candidates under mDNS names instead of
	// the machine's LAN addresses (see privacy.go); a peer on the same LAN
	// resolves them, no one else learns the addresses.
	HideAddresses bool
	// RelayOnly gathers only relay candidates, from the TURN servers in
	// ICEServers: the description then reveals no address of the machine.
	RelayOnly bool

	// Timeout is how long a connection may take to come up once both
	// descriptions are set, and how long a lost one may take to come back.
	Timeout time.Duration

	// PasteWait is how long the callee waits for the caller to receive its
	// answer: a person may take minutes to carry it back. A call whose path
	// is lost waits as long once a restart code is made or taken
	// (RestartCode).
	PasteWait time.Duration

	// Credentials, when set, picks the ICE username fragment and password
	// from the SHA-256 fingerprint of the session's DTLS certificate, so
	// that the peer can derive them instead of reading them in the offer or
	// answer (offline.ICECredentials does, for compact codes). By default
	// pion picks random ones.
	Credentials func(fingerprint []byte) (ufrag, pwd string)

	// VideoBitRate is the most the video may use, in bits per second; the
	// default is 1 Mbit/s. Congestion control aims below it on a worse
	// path, and tells its aim to OnTargetBitRate.
	VideoBitRate int

	// Net, when set, replaces the machine's network, as pion's vnet does in
	// tests of lossy and slow paths.
	Net transport.Net

	// Certificate, when set, is the DTLS certificate of the session: a
	// long-lived identity (see package trust) instead of a new one.
	Certificate *webrtc.Certificate

	// Verify, when set, holds the call once it is up: no local media is
	// sent, and no remote media, chat or channel is handed on, until
	// Verify, given the safety number and the peer's certificate, returns
	// nil: the user confirmed the number, or the peer is known. It is
	// called once, in a goroutine of its own, and may block; ctx ends
	// with the call. An error ends the call with it (such as
	// ErrNotVerified). See hold.go.
	Verify func(ctx context.Context, peer Verification) error

	// LoggerFactory, when set, receives pion's logs, of every part of pion
	// the session makes (ICE with mDNS and TURN, DTLS, SCTP, data channels,
	// the interceptors), and the session's own: ICE restarts, and the
	// peer's candidates dropped, under the scope "restart"; the peer's
	// channels that were closed and changes to the call that failed,
	// under "call". By default they are dropped: a library writes nothing
	// to stderr.
	LoggerFactory logging.LoggerFactory

	// Name is what the peer should call this side in the chat; none by
	// default.
	Name string

	// numberWait replaces Timeout as the wait for the peer's part of the
	// safety number's exchange, in tests.
	numberWait time.Duration
}

func (o *Options) setDefaults() {
	if o.LoggerFactory == nil {
		o.LoggerFactory = pionlog.Discard
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.PasteWait == 0 {
		o.PasteWait = DefaultPasteWait
	}
	if o.numberWait == 0 {
		o.numberWait = o.Timeout
	}
}

// Session is one call with one peer.
type Session struct {
	opts       Options
	api        *webrtc.API
	cert       webrtc.Certificate // this side's DTLS certificate
	pc         *webrtc.PeerConnection
	negotiator *negotiator
	hold       *hold        // nil without Options.Verify
	muting     muting       // turns Options.Tracks off and on (mute.go)
	foreign    *atomic.Bool // the peer's checks named other credentials (tamper.go)
	restarter  *restarter
	log        logging.LeveledLogger
	safety     *safety   // the exchange that fixes the safety number (verify.go)
	on         *handlers // what the user registered (handlers.go)
	group      groupBox  // messages about the call's other people (group.go)

	// chat is the channel the chat goes out on, once one is open
	// (channels.go); peerChat says a peer that is not a pigeon has opened
	// its own.
	chat         atomic.Pointer[webrtc.DataChannel]
	peerChat     atomic.Bool
	channelsOnce sync.Once
	channelsErr  error

	open       chan struct{} // closed when the chat channel opens
	done       chan struct{} // closed when the call ends
	closed     chan struct{} // closed when the PeerConnection is closed
	endOnce    sync.Once
	hangUpOnce sync.Once
	err        error // why the call ended; nil for a hang-up

	leaving atomic.Bool // HangUp has begun: the connection closing is expected
	iceUp   atomic.Bool // ICE has reached the peer at least once
	dtlsUp  atomic.Bool // the DTLS handshake has completed
	outbox  outbox
	inbox   inbox
	rates   rates // the path's bit rates, for Stats

	mu   sync.Mutex
	peer Peer // what the peer is (SetPeer)
	link link // the connection's state machine (state.go)

	telling sync.Mutex // one StateChange told at a time, in order
}

// New creates a session with its PeerConnection, local tracks and chat
// channel. Close it, or let it end, to release them.
func New(opts Options) (*Session, error) {
	opts.setDefaults()
	held := newHold(&opts)
	id, err := newIdentity(opts)
	if err != nil {
		return nil, err
	}
	safety, err := newSafety()
	if err != nil {
		return nil, err
	}
	if id.ufrag == "" {
		id.ufrag, id.pwd = randomICECredentials() // kept by ICE restarts (restart.go)
	}
	network := opts.Net
	if network == nil {
		// The machine's own network, held here so that a restart can
		// see the addresses it has now.
		if network, err = stdnet.NewNet(); err != nil {
			return nil, fmt.Errorf("listing the network interfaces: %w", err)
		}
	}
	on := &handlers{}
	api, err := newAPI(opts, id, network, on.tellBitRate)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		ICEServers:         opts.ICEServers,
		BundlePolicy:       webrtc.BundlePolicyMaxBundle,
		Certificates:       []webrtc.Certificate{id.certificate},
		ICETransportPolicy: opts.transportPolicy(),
		// The offer has its data section before there is a channel: which
		// channels to make waits for the answer (channels.go).
		AlwaysNegotiateDataChannels: true,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the peer connection: %w", err)
	}
	s := &Session{
		opts:    opts,
		api:     api,
		pc:      pc,
		cert:    id.certificate,
		open:    make(chan struct{}),
		done:    make(chan struct{}),
		closed:  make(chan struct{}),
		hold:    held,
		foreign: id.foreign,
		safety:  safety,
		on:      on,
		log:     opts.LoggerFactory.NewLogger("call"),
	}
	held.attach(s)
	go s.closeWhenDone()
	s.restarter = newRestarter(s, network)

	if err := s.setUp(); err != nil {
		s.Close()
		return nil, err
	}
	go s.restarter.watch()
	return s, nil
}

// newAPI builds a pion API with only the codecs pigeon sends and receives,
// with timeouts that suit a call set up by hand, and with the ICE
// credentials of id.
func newAPI(opts Options, id identity, network transport.Net, onBitRate func(int)) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := registerCodecs(m); err != nil {
		return nil, err
	}
	logs := opts.LoggerFactory
	ir, err := newInterceptors(m, opts, onBitRate)
	if err != nil {
		return nil, err
	}

	se := webrtc.SettingEngine{LoggerFactory: logs}
	se.SetSTUNGatherTimeout(stunGatherTimeout)
	id.apply(&se)
	// ICE gives up on its own only after the longest a person may take to
	// carry a code: the answer back to the caller, or a restart code
	// (restartcode.go), which both sides may wait for. Connecting and
	// losing a path once connected are timed by the session itself.
	failAfter := max(opts.PasteWait, opts.Timeout)
	se.SetICETimeouts(disconnectedAfter, failAfter, keepAliveEvery)
	se.SetICEMaxBindingRequests(maxBindingRequests)
	// One port for every candidate, the same after an ICE restart: the
	// peer's record of this side's candidates stays good, and a restart on
	// both sides at once still finds the path (restart.go). With no free
	// port, or once another program takes it, pion picks ports as it would
	// by default: the call works, its restarts rely on the candidates sent.
	if port, err := freePort(network); err == nil {
		if err := se.SetEphemeralUDPPortRange(port, port); err != nil {
			return nil, err
		}
		network = &fallbackNet{Net: network, port: int(port)}
	}
	// With renomination (as libwebrtc does it, in a STUN attribute others
	// ignore) the callee follows the pair the caller picks after an ICE
	// restart; without it, it keeps the old pair if that ranked higher,
	// and sends into a path that is gone.
	if err := se.SetICERenomination(); err != nil {
		return nil, err
	}
	// SCTP backs off its retransmissions during an outage; capped low, the
	// chat is moving again soon after the path comes back.
	se.SetSCTPRTOMax(sctpRTOMax)
	// The DTLS server (the caller) answers the first ClientHello without a
	// cookie round trip (HelloVerifyRequest): the cookie proves the client's
	// address, which ICE's checks, answered from it, already have; DTLS only
	// runs on a pair they validated. One round trip less to the chat.
	se.SetDTLSInsecureSkipHelloVerify(true)
	// Large socket buffers keep a file transfer from stalling on drops;
	// Tune gives se the network with them.
	transfer.Tune(&se, network)
	applyPrivacy(opts, &se)
	if opts.Net != nil {
		// A virtual network has no multicast for mDNS.
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
	if len(opts.Interfaces) > 0 {
		keep := opts.Interfaces
		se.SetInterfaceFilter(func(name string) bool { return slices.Contains(keep, name) })
		if includesLoopback(keep) {
			se.SetIncludeLoopbackCandidate(true)
		}
	}
	return webrtc.NewAPI(
		webrtc.WithMediaEngine(m),
		webrtc.WithInterceptorRegistry(ir),
		webrtc.WithSettingEngine(se),
	), nil
}

// newInterceptors registers what runs on the media's packets: NACKs, RTCP
// reports, the stats of what arrives, congestion control.
func newInterceptors(m *webrtc.MediaEngine, opts Options, onBitRate func(int)) (*interceptor.Registry, error) {
	// pion's Configure functions give their interceptors pion's default
	// logger, which writes to stderr: each gets the session's instead.
	logs := opts.LoggerFactory
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureNackWithOptions(m, ir,
		[]nack.GeneratorOption{nack.WithGeneratorLoggerFactory(logs)},
		nack.WithResponderLoggerFactory(logs), nack.ResponderSize(nackHistory(opts.VideoBitRate))); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReportsWithOptions(ir,
		[]report.ReceiverOption{report.WithReceiverLoggerFactory(logs)}, report.WithSenderLoggerFactory(logs)); err != nil {
		return nil, err
	}
	// Loss and jitter of what arrives, for Stats.
	if err := webrtc.ConfigureStatsInterceptorWithOptions(ir, stats.WithLoggerFactory(logs)); err != nil {
		return nil, err
	}
	if err := addCongestionControl(m, ir, opts.VideoBitRate, onBitRate, logs); err != nil {
		return nil, err
	}
	return ir, nil
}

func includesLoopback(names []string) bool {
	for _, name := range names {
		if iface, err := net.InterfaceByName(name); err == nil && iface.Flags&net.FlagLoopback != 0 {
			return true
		}
	}
	return false
}

// setUp adds the local media, the chat channel and the event handlers.
func (s *Session) setUp() error {
	pc := s.pc
	pc.OnConnectionStateChange(s.onState)
	// ICE found the peer but DTLS failed: the peer's certificate is not the
	// one the pasted code named. Said before the connection's own failed.
	pc.SCTP().Transport().OnStateChange(func(state webrtc.DTLSTransportState) {
		switch state {
		case webrtc.DTLSTransportStateConnected:
			s.dtlsUp.Store(true)
		case webrtc.DTLSTransportStateFailed:
			s.end(ErrCertificateMismatch)
		}
	})
	pc.OnICEConnectionStateChange(func(state webrtc.ICEConnectionState) {
		if state == webrtc.ICEConnectionStateConnected {
			s.iceUp.Store(true)
		}
		s.restarter.onICEState(state)
	})
	pc.SCTP().Transport().ICETransport().OnSelectedCandidatePairChange(s.restarter.onPair)
	pc.OnTrack(s.onTrack)
	pc.OnDataChannel(s.onDataChannel)

	// The caller offers to receive both kinds of media even when it sends
	// none of a kind, so a caller without a camera still sees the callee.
	// The callee adds its tracks once it knows the offer (in Answer).
	if s.opts.Role == Caller {
		for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
			if err := s.addMedia(kind, webrtc.RTPTransceiverDirectionRecvonly); err != nil {
				return err
			}
		}
	}

	// The chat and negotiation channels are made once the peer's
	// description says what the peer is (openChannels).
	s.negotiator = newNegotiator(s)
	return nil
}

// addMedia sends the local track of kind, if there is one, on a transceiver
// of its own; with none, the transceiver only receives (for the caller) or is
// left as the offer made it (for the callee).
func (s *Session) addMedia(kind webrtc.RTPCodecType, otherwise webrtc.RTPTransceiverDirection) error {
	for _, t := range s.opts.Tracks {
		if t.Kind() == kind {
			if _, err := s.pc.AddTrack(s.gated(t)); err != nil {
				return fmt.Errorf("adding the local %s track: %w", kind, err)
			}
			return nil
		}
	}
	if s.opts.Role == Callee {
		return nil
	}
	_, err := s.pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: otherwise})
	if err != nil {
		return fmt.Errorf("adding a %s transceiver: %w", kind, err)
	}
	return nil
}

// Offer creates the caller's offer and returns it once ICE gathering is
// complete, so that it carries every candidate: there is no second message.
func (s *Session) Offer(ctx context.Context) (webrtc.SessionDescription, error) {
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("creating the offer: %w", err)
	}
	return s.complete(ctx, offer)
}

// Accept applies the callee's answer; the connection starts to come up.
func (s *Session) Accept(answer webrtc.SessionDescription) error {
	if answer.Type != webrtc.SDPTypeAnswer {
		return fmt.Errorf("%w: Accept wants an answer, got %s", ErrWrongSignal, answer.Type)
	}
	if s.pc.RemoteDescription() != nil {
		return ErrAnswerUsed // one answer per offer: a second is another peer's, or a replay
	}
	if err := s.openChannels(); err != nil {
		return err
	}
	if s.Peer() == PeerOther {
		s.dropRejected(answer)
	}
	if err := s.pc.SetRemoteDescription(answer); err != nil {
		return fmt.Errorf("applying the answer: %w", err)
	}
	s.expect(s.opts.Timeout, ErrConnectFailed)
	return nil
}

// Answer applies the caller's offer, adds the local media to it, and returns
// the complete answer once ICE gathering is done.
func (s *Session) Answer(ctx context.Context, offer webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	if offer.Type != webrtc.SDPTypeOffer {
		return webrtc.SessionDescription{}, fmt.Errorf("%w: Answer wants an offer, got %s", ErrWrongSignal, offer.Type)
	}
	if err := s.openChannels(); err != nil {
		return webrtc.SessionDescription{}, err
	}
	if err := s.pc.SetRemoteDescription(offer); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("applying the offer: %w", err)
	}
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if err := s.addMedia(kind, webrtc.RTPTransceiverDirectionRecvonly); err != nil {
			return webrtc.SessionDescription{}, err
		}
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("creating the answer: %w", err)
	}
	desc, err := s.complete(ctx, answer)
	if err == nil {
		s.expect(s.opts.PasteWait+s.opts.Timeout, ErrConnectFailed)
	}
	return desc, err
}

// complete sets desc as the local description and waits for ICE gathering to
// finish, returning the description with all candidates in it.
func (s *Session) complete(ctx context.Context, desc webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(desc); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("applying the local %s: %w", desc.Type, err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return webrtc.SessionDescription{}, fmt.Errorf("gathering candidates: %w", ctx.Err())
	case <-s.done:
		return webrtc.SessionDescription{}, s.endErr()
	}
	return *s.pc.LocalDescription(), nil
}

// end records why the call ended, the first time only. Once this side has
// begun to hang up, whatever happens to the connection is part of that: the
// peer, told goodbye, may close it before the goodbye has left here.
func (s *Session) end(err error) {
	s.endOnce.Do(func() {
		if s.leaving.Load() {
			err = nil
		}
		if err == ErrConnectFailed && s.foreign.Load() {
			// The peer was there, holding a code altered on its way.
			err = ErrCertificateMismatch
		}
		s.err = err
		close(s.done)
	})
}

func (s *Session) onTrack(track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	if track.Kind() == webrtc.RTPCodecTypeVideo {
		// Ask for a keyframe now rather than wait for the next one in the
		// encoder's interval: the first picture shows seconds sooner.
		s.RequestKeyFrame(track.SSRC())
	}
	s.tellTrack(track, receiver)
}

// drain reads track until it ends, throwing the packets away.
func drain(track *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := track.Read(buf); err != nil {
			return
		}
	}
}

// requestKeyFrames asks for a keyframe on every video stream received.
func (s *Session) requestKeyFrames() {
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Kind() != webrtc.RTPCodecTypeVideo || tr.Receiver() == nil {
			continue
		}
		for _, track := range tr.Receiver().Tracks() {
			s.RequestKeyFrame(track.SSRC())
		}
	}
}

// RequestKeyFrame asks the peer for a full picture on the video stream ssrc,
// for a decoder that cannot go on from what it has.
func (s *Session) RequestKeyFrame(ssrc webrtc.SSRC) {
	_ = s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(ssrc)}})
}

// Send sends one chat message. It waits for the chat channel to open. The
// message is kept until the peer acknowledges it: re-sent if the connection
// drops and comes back, and listed by Undelivered if the call ends first.
func (s *Session) Send(text string) error {
	s.outbox.sending.Lock()
	defer s.outbox.sending.Unlock()
	parts := s.outbox.add(text)
	if s.hold.holding() {
		return nil // sent once the user confirms the safety number
	}
	for _, m := range parts {
		if err := s.send(m); err != nil {
			return err
		}
	}
	return nil
}

// TellMedia tells the peer which media this side now sends, after the user
// muted the microphone or turned the camera off or on. A peer that is not a
// pigeon is told nothing.
func (s *Session) TellMedia(audioOn, videoOn bool) error {
	return s.send(message{Type: typeMedia, Audio: &audioOn, Video: &videoOn})
}

// Undelivered returns the chat messages the peer has not acknowledged,
// oldest first: after the call, the ones that never arrived.
func (s *Session) Undelivered() []string { return s.outbox.undelivered() }

func (s *Session) send(m message) error {
	select {
	case <-s.open:
	case <-s.done:
		return ErrEnded
	}
	chat := s.chat.Load()
	if s.Peer() == PeerOther {
		return s.sendPlain(chat, m)
	}
	data, err := m.marshal()
	if err != nil {
		return err
	}
	if err := chat.SendText(string(data)); err != nil {
		return fmt.Errorf("sending on the chat channel: %w", err)
	}
	return nil
}

// sendPlain sends the text of a chat message as it is, to a peer that is
// not a pigeon; the rest of pigeon's messages mean nothing to it. Such a
// peer acknowledges nothing: a message counts as delivered once SCTP, which
// delivers it or loses the call, has it. A peer that closed the chat gets
// no more of it, and what is sent meanwhile is left undelivered.
func (s *Session) sendPlain(chat *webrtc.DataChannel, m message) error {
	if m.Type != typeChat || chat.ReadyState() != webrtc.DataChannelStateOpen {
		return nil
	}
	if err := chat.SendText(m.Text); err != nil {
		return fmt.Errorf("sending on the chat channel: %w", err)
	}
	s.outbox.ack(m.ID)
	return nil
}

// resend sends again what the peer has not acknowledged, once the
// connection is back; the peer drops what it already had.
func (s *Session) resend() {
	s.outbox.sending.Lock()
	defer s.outbox.sending.Unlock()
	for _, m := range s.outbox.unacked() {
		if s.send(m) != nil {
			return
		}
	}
}

func (s *Session) onMessage(msg webrtc.DataChannelMessage) {
	m, err := parseMessage(msg.Data)
	if err != nil {
		return // a message from a newer pigeon, or noise: not ours to show
	}
	switch m.Type {
	case typeChat:
		if m.ID != 0 {
			go s.send(message{Type: typeAck, ID: m.ID})
		}
		if !s.inbox.first(m.ID) {
			break
		}
		if text, whole := s.inbox.join(m.Text, m.More); whole {
			s.tellMessage(text)
		}
	case typeAck:
		s.outbox.ack(m.ID)
	case typeHello:
		s.greeted(m.Name)
	case typeCommit:
		s.peerCommitted(m.Commit)
	case typeReveal:
		s.peerRevealed(m.Value)
	case typeMedia:
		if m.Audio != nil && m.Video != nil {
			s.tellPeerMedia(*m.Audio, *m.Video)
		}
	case typeBye:
		s.peerHungUp()
	}
}

// HangUp tells the peer goodbye, if the chat channel is open, and ends the
// call. The peer ends too, at once, instead of waiting for a timeout. A peer
// that is not a pigeon gets what was sent before the connection closes.
func (s *Session) HangUp() {
	s.leaving.Store(true)
	select {
	case <-s.open:
		if s.Peer() == PeerOther {
			s.drain(hangUpGrace)
			break
		}
		if data, err := (message{Type: typeBye}).marshal(); err == nil && s.chat.Load().SendText(string(data)) == nil {
			s.drain(hangUpGrace)
		}
	default:
	}
	s.end(nil)
	<-s.closed
}

// drain waits until the peer has acknowledged everything queued on the chat
// channel, or has closed the connection (it got the goodbye and may close
// before acknowledging it), or until d has passed.
func (s *Session) drain(d time.Duration) {
	deadline := time.After(d)
	for s.chat.Load().BufferedAmount() > 0 {
		select {
		case <-s.done:
			return
		case <-deadline:
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// OpenChannel opens a data channel of its own beside the chat, reliable and
// ordered, for something like a file; the peer is handed it through its
// OnDataChannel. No negotiation is needed.
func (s *Session) OpenChannel(label string) (*webrtc.DataChannel, error) {
	dc, err := s.pc.CreateDataChannel(label, nil)
	if err != nil {
		return nil, fmt.Errorf("opening a %s channel: %w", label, err)
	}
	return dc, nil
}

// Ready is closed when the chat channel is open: the call is up and Send no
// longer waits.
func (s *Session) Ready() <-chan struct{} { return s.open }

// Done is closed when the call has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Wait waits for the call to end and its connection to close. It returns nil
// when either side hung up, and otherwise why the call ended.
func (s *Session) Wait() error {
	<-s.closed
	return s.err
}

// Close ends the call without a goodbye and releases the connection.
func (s *Session) Close() error {
	s.end(ErrEnded)
	<-s.closed
	return nil
}

func (s *Session) endErr() error {
	if s.err != nil {
		return s.err
	}
	return ErrEnded
}

// closeWhenDone closes the PeerConnection once the call ends. It runs in its
// own goroutine because pion must not be closed from inside its callbacks.
func (s *Session) closeWhenDone() {
	<-s.done
	s.mu.Lock()
	s.link.stopDeadline()
	s.mu.Unlock()
	// mediadevices' tracks can block pion's Close forever (a track's unbind
	// waits on an encoder that is not running); the call is over either
	// way, so the wait is bounded.
	pcClosed := make(chan struct{})
	go func() {
		_ = s.pc.Close()
		close(pcClosed)
	}()
	select {
	case <-pcClosed:
	case <-time.After(closeGrace):
	}
	close(s.closed)
}
