package call

import (
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// Bounds of the bit rate congestion control may ask of the video encoder.
const (
	minVideoBitRate     = 100_000
	defaultVideoBitRate = 1_000_000
)

// addCongestionControl estimates the path's capacity with Google Congestion
// Control, from the transport-wide feedback the peer sends, and hands each
// new estimate to onTarget: the encoder's bit rate follows it, so on a bad
// path the picture degrades and recovers instead of freezing.
//
// The pacer is off: the encoder already keeps to the target, and pacing
// would hold back each keyframe, the picture a user waits for most.
func addCongestionControl(m *webrtc.MediaEngine, ir *interceptor.Registry, maxBitRate int, onTarget func(int), logs logging.LoggerFactory) error {
	if maxBitRate <= 0 {
		maxBitRate = defaultVideoBitRate
	}
	factory, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(
			gcc.SendSideBWEInitialBitrate(maxBitRate),
			gcc.SendSideBWEMinBitrate(minVideoBitRate),
			gcc.SendSideBWEMaxBitrate(maxBitRate),
			gcc.SendSideBWEPacer(gcc.NewNoOpPacer()),
			gcc.WithLoggerFactory(logs),
		)
	})
	if err != nil {
		return err
	}
	factory.OnNewPeerConnection(func(_ string, estimator cc.BandwidthEstimator) {
		if onTarget != nil {
			estimator.OnTargetBitrateChange(onTarget)
		}
	})
	ir.Add(factory)
	// Number outgoing packets for the peer's feedback, and send feedback on
	// what arrives here, for the peer's estimator.
	if err := webrtc.ConfigureTWCCHeaderExtensionSender(m, ir); err != nil {
		return err
	}
	return webrtc.ConfigureTWCCSenderWithOptions(m, ir, twcc.WithLoggerFactory(logs))
}

// nackHistory is how many sent packets of a video track are kept for a
// peer's retransmission requests (NACK): the smallest power of two (as
// pion wants) that holds two seconds at the top bit rate, in packets of
// 1.2 kB, and no more than pion's default of 1024. A request comes a round
// trip after the loss, and libwebrtc keeps a second; pion's default holds
// ten seconds at the default bit rate, copies that a call keeps in memory.
func nackHistory(maxBitRate int) uint16 {
	if maxBitRate <= 0 {
		maxBitRate = defaultVideoBitRate
	}
	want := 2 * maxBitRate / (8 * 1200)
	size := uint16(64)
	for int(size) < want && size < 1024 {
		size *= 2
	}
	return size
}
