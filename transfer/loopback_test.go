package transfer

import (
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/calltest"
	"github.com/pigeon-call/pigeon/internal/pionlog"
)

// tune is Tune with pion's standard Net, as the pairs' SettingEngines
// take it.
func tune(se *webrtc.SettingEngine) { Tune(se, nil) }

// pair is two in-process peers connected on the loopback interface only:
// nothing leaves the machine, and no multicast DNS is sent.
type pair struct {
	sender, receiver *webrtc.PeerConnection
	incoming         chan *webrtc.DataChannel // transfer channels the receiver was offered
	onChannel        func(*webrtc.DataChannel)
}

// loopbackAPI is a pion API restricted to the loopback interface; tune
// applies fn to its SettingEngine first.
func loopbackAPI(tune func(*webrtc.SettingEngine)) *webrtc.API {
	se := webrtc.SettingEngine{LoggerFactory: pionlog.Discard}
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if tune != nil {
		tune(&se)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// newPair connects two peers, with tune applied to both SettingEngines,
// and returns once SCTP is up. onChannel, when set, is called from
// OnDataChannel for each channel the sender opens.
func newPair(tb testing.TB, tune func(*webrtc.SettingEngine), onChannel func(*webrtc.DataChannel)) *pair {
	tb.Helper()
	p := &pair{incoming: make(chan *webrtc.DataChannel, 8), onChannel: onChannel}
	var err error
	if p.sender, err = loopbackAPI(tune).NewPeerConnection(webrtc.Configuration{}); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.sender.Close() })
	if p.receiver, err = loopbackAPI(tune).NewPeerConnection(webrtc.Configuration{}); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.receiver.Close() })

	up := make(chan struct{})
	p.receiver.OnDataChannel(func(dc *webrtc.DataChannel) {
		switch dc.Label() {
		case "chat":
			dc.OnOpen(func() { close(up) })
		default:
			if p.onChannel != nil {
				p.onChannel(dc)
			}
			p.incoming <- dc
		}
	})
	// Like pigeon's chat channel, this one brings SCTP into the offer.
	if _, err := p.sender.CreateDataChannel("chat", nil); err != nil {
		tb.Fatal(err)
	}

	calltest.Handshake(tb, calltest.PeerConnection{PeerConnection: p.sender}, calltest.PeerConnection{PeerConnection: p.receiver})
	select {
	case <-up:
	case <-time.After(calltest.Wait):
		tb.Fatal("the peers did not connect on loopback")
	}
	return p
}

// open opens a transfer channel on the sender's side.
func (p *pair) open(tb testing.TB, init *webrtc.DataChannelInit) *webrtc.DataChannel {
	tb.Helper()
	dc, err := p.sender.CreateDataChannel(Label, init)
	if err != nil {
		tb.Fatal(err)
	}
	return dc
}
