package capture

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/render"
)

// countedEncoder counts what an encoder does: the frames it makes and the
// bit rates it is set to.
type countedEncoder struct {
	codec.ReadCloser
	frames *atomic.Int64
	rates  chan int
}

func (e countedEncoder) Read() ([]byte, func(), error) {
	b, release, err := e.ReadCloser.Read()
	if err == nil {
		e.frames.Add(1)
	}
	return b, release, err
}

func (e countedEncoder) Controller() codec.EncoderController { return countedController{e} }

// countedController is the encoder's controller, with its bit rates noted.
type countedController struct{ e countedEncoder }

func (c countedController) ForceKeyFrame() error {
	return c.e.ReadCloser.Controller().(codec.KeyFrameController).ForceKeyFrame()
}

func (c countedController) SetBitRate(bps int) error {
	select {
	case c.e.rates <- bps:
	default:
	}
	return c.e.ReadCloser.Controller().(codec.BitRateController).SetBitRate(bps)
}

// encoderCounts counts the encoders an Open builds, and their frames.
type encoderCounts struct {
	built  atomic.Int32
	frames atomic.Int64 // of the video encoder
	rates  chan int     // the video encoder's bit rates, as they are set
}

func (c *encoderCounts) tap(enc codec.ReadCloser) codec.ReadCloser {
	c.built.Add(1)
	if _, ok := enc.Controller().(codec.KeyFrameController); !ok {
		return enc // Opus: counted as built
	}
	return countedEncoder{ReadCloser: enc, frames: &c.frames, rates: c.rates}
}

// loopbackAPI is pion set up as a call sets it up, on loopback: VP8 and
// Opus, with NACK, RTCP reports and PLI.
func loopbackAPI(t *testing.T) *webrtc.API {
	t.Helper()
	m := &webrtc.MediaEngine{}
	for _, c := range []struct {
		kind   webrtc.RTPCodecType
		params webrtc.RTPCodecParameters
	}{
		{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}},
		{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
			RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}}, PayloadType: 96}},
	} {
		if err := m.RegisterCodec(c.params, c.kind); err != nil {
			t.Fatal(err)
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureNack(m, ir); err != nil {
		t.Fatal(err)
	}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
}

// receivedFrame is a VP8 frame as a peer received it.
type receivedFrame struct {
	at   time.Time
	key  bool
	data []byte // the frame's first packet's VP8 payload
}

// peer is one of the PeerConnections the local media is sent to, and the
// far end that receives it, decodes it and plays it.
type peer struct {
	name     string
	send     *webrtc.PeerConnection
	recv     *webrtc.PeerConnection
	out      *render.Output
	ssrc     atomic.Uint32 // of the video, as received
	played   sync.WaitGroup
	mu       sync.Mutex
	frames   []receivedFrame
	bytes    int // of video payload
	keyFrame chan receivedFrame
}

// watched is a received video track whose frames the peer notes as they
// come, on their way to the decoder.
type watched struct {
	*webrtc.TrackRemote
	p *peer
}

func (w watched) ReadRTP() (*rtp.Packet, interceptor.Attributes, error) {
	pkt, a, err := w.TrackRemote.ReadRTP()
	if err != nil {
		return pkt, a, err
	}
	w.p.ssrc.Store(pkt.SSRC)
	var vp8 codecs.VP8Packet
	payload, err := vp8.Unmarshal(pkt.Payload)
	w.p.mu.Lock()
	w.p.bytes += len(pkt.Payload)
	if err == nil && vp8.S == 1 && vp8.PID == 0 {
		f := receivedFrame{at: time.Now(), key: isVP8KeyFrame(payload), data: append([]byte(nil), payload...)}
		w.p.frames = append(w.p.frames, f)
		if f.key {
			select {
			case w.p.keyFrame <- f:
			default:
			}
		}
	}
	w.p.mu.Unlock()
	return pkt, a, nil
}

// connect makes a peer that m's tracks are sent to, and waits until its
// connection is up.
func connect(t *testing.T, api *webrtc.API, m *Media, name string) *peer {
	t.Helper()
	p := &peer{name: name, keyFrame: make(chan receivedFrame, 100)}
	var err error
	if p.send, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		t.Fatal(err)
	}
	if p.recv, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		t.Fatal(err)
	}
	if p.out, err = render.New(render.Options{Speaker: render.SpeakerNull}); err != nil {
		t.Fatal(err)
	}
	for _, track := range m.Tracks() {
		if _, err := p.send.AddTrack(track); err != nil {
			t.Fatal(err)
		}
	}
	p.recv.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		var tr render.Track = track
		if track.Kind() == webrtc.RTPCodecTypeVideo {
			tr = watched{track, p}
		}
		p.played.Add(1)
		go func() {
			defer p.played.Done()
			if err := p.out.Play(tr); err != nil {
				t.Errorf("%s: playing %s: %v", name, track.Kind(), err)
			}
		}()
	})
	up := make(chan struct{})
	var once sync.Once
	p.recv.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(up) })
		}
	})
	offer, err := p.send.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(p.send)
	if err := p.send.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	if err := p.recv.SetRemoteDescription(*p.send.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	answer, err := p.recv.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered = webrtc.GatheringCompletePromise(p.recv)
	if err := p.recv.SetLocalDescription(answer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	if err := p.send.SetRemoteDescription(*p.recv.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-up:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not connect", name)
	}
	return p
}

// leave hangs the peer up: both its PeerConnections close, its tracks end.
func (p *peer) leave(t *testing.T) {
	t.Helper()
	if err := p.send.Close(); err != nil {
		t.Error(err)
	}
	if err := p.recv.Close(); err != nil {
		t.Error(err)
	}
	p.played.Wait()
	if err := p.out.Close(); err != nil {
		t.Error(err)
	}
}

// stats returns the peer's received video and audio, as its output counts
// them.
func (p *peer) stats() (video, sound render.Stats) {
	for _, st := range p.out.Stats() {
		if st.Kind == webrtc.RTPCodecTypeVideo {
			video = st
		} else {
			sound = st
		}
	}
	return video, sound
}

// waitFor waits until cond holds, checking as pictures come.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rateOver is the video bit rate each peer receives over d from now.
func rateOver(peers []*peer, d time.Duration) []float64 {
	before := make([]int, len(peers))
	for i, p := range peers {
		p.mu.Lock()
		before[i] = p.bytes
		p.mu.Unlock()
	}
	start := time.Now()
	time.Sleep(d)
	secs := time.Since(start).Seconds()
	rates := make([]float64, len(peers))
	for i, p := range peers {
		p.mu.Lock()
		rates[i] = float64(8*(p.bytes-before[i])) / secs
		p.mu.Unlock()
	}
	return rates
}

// TestOneEncoderSendsToThreePeers adds the tracks of one Media to three
// PeerConnections, as a call with three peers does: each peer decodes the
// video and plays the sound, the pictures are encoded once for all, the
// encoder follows the slowest peer's bit rate, a keyframe one peer asks for
// reaches all, and a peer that leaves leaves the others going.
func TestOneEncoderSendsToThreePeers(t *testing.T) {
	if testing.Short() {
		t.Skip("sends media to three peers for several seconds")
	}
	mediatest.CheckGoroutines(t)
	// A clip that takes all the bit rate it is given, where the test
	// picture takes a tenth.
	clip := mediatest.NaturalVideo(t, "clip.y4m", 320, 240, 30, 3*time.Second)
	counts := &encoderCounts{rates: make(chan int, 100)}
	m, err := Open(Options{Video: clip, Audio: Test, Width: 320, Height: 240, tapEncoder: counts.tap})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	api := loopbackAPI(t)
	var peers []*peer
	for _, name := range []string{"ann", "bob", "cat"} {
		p := connect(t, api, m, name)
		defer p.leave(t)
		peers = append(peers, p)
	}

	// Each peer decodes pictures and plays sound.
	for _, p := range peers {
		waitFor(t, p.name+" decoding 30 pictures and playing 25 packets", 15*time.Second, func() bool {
			v, a := p.stats()
			return v.Decoded >= 30 && a.Played >= 25
		})
		v, a := p.stats()
		t.Logf("%s: %s; %s", p.name, v, a)
		if v.DecodeErrors > 0 {
			t.Errorf("%s: %d pictures did not decode", p.name, v.DecodeErrors)
		}
	}
	// One video and one audio encoder for the three, each picture encoded
	// once: a peer received no more frames than were encoded, and the
	// three received the same frames.
	if n := counts.built.Load(); n != 2 {
		t.Errorf("%d encoders were built for three peers, want 2: one video and one audio", n)
	}
	encoded := counts.frames.Load()
	for _, p := range peers {
		p.mu.Lock()
		n := len(p.frames)
		p.mu.Unlock()
		if int64(n) > encoded || n < 30 {
			t.Errorf("%s received %d frames, %d were encoded", p.name, n, encoded)
		}
	}

	// The bit rate follows the slowest path.
	targets := map[string]int{"ann": 1_200_000, "bob": 100_000, "cat": 800_000}
	for name, bps := range targets {
		if err := m.SetPeerVideoBitRate(name, bps); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.VideoBitRate(); got != 100_000 {
		t.Errorf("the video bit rate is %d with targets %v, want the least, 100000", got, targets)
	}
	if got := lastRate(counts.rates); got != 100_000 {
		t.Errorf("the encoder was set to %d, want 100000", got)
	}
	rateOver(peers, time.Second) // the encoder settles
	slow := rateOver(peers, 2*time.Second)
	t.Logf("received at 100 kbit/s: %.0f", slow)
	for i, r := range slow {
		if r > 200_000 {
			t.Errorf("%s receives %.0f bit/s with a target of 100 kbit/s", peers[i].name, r)
		}
	}

	// A keyframe one peer asks for reaches all three: the same one.
	waitFor(t, "a keyframe at ann", 5*time.Second, func() bool { return len(peers[0].keyFrame) > 0 })
	for _, p := range peers {
		drain(p.keyFrame)
	}
	asked := time.Now()
	if err := peers[1].recv.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: peers[1].ssrc.Load()}}); err != nil {
		t.Fatal(err)
	}
	var first []byte
	for _, p := range peers {
		select {
		case f := <-p.keyFrame:
			// The encoder makes one every 60 pictures (2 s) on its own.
			if d := f.at.Sub(asked); d > time.Second {
				t.Errorf("%s got a keyframe %v after bob asked for one", p.name, d)
			}
			if first == nil {
				first = f.data
			} else if !bytes.Equal(f.data, first) {
				t.Errorf("%s got another keyframe than ann's", p.name)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("%s got no keyframe after bob asked for one", p.name)
		}
	}

	// The slowest peer leaves: the others go on, at the least of theirs.
	peers[1].leave(t)
	if err := m.ForgetPeer("bob"); err != nil {
		t.Fatal(err)
	}
	if got := lastRate(counts.rates); got != 800_000 {
		t.Errorf("once bob left the encoder was set to %d, want cat's 800000", got)
	}
	left := []*peer{peers[0], peers[2]}
	rateOver(left, time.Second)
	fast := rateOver(left, 2*time.Second)
	t.Logf("received at 800 kbit/s: %.0f", fast)
	for i, p := range left {
		if fast[i] < 1.5*slow[0] {
			t.Errorf("%s receives %.0f bit/s once the slow peer left, against %.0f before", p.name, fast[i], slow[0])
		}
		v, _ := p.stats()
		decoded := v.Decoded
		waitFor(t, p.name+" decoding on after bob left", 5*time.Second, func() bool {
			v, _ := p.stats()
			return v.Decoded >= decoded+30
		})
	}
}

// lastRate is the last bit rate set, of those noted so far.
func lastRate(rates chan int) int {
	last := 0
	for {
		select {
		case r := <-rates:
			last = r
		default:
			return last
		}
	}
}

func drain[T any](c chan T) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}
