package call

import (
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// applyPrivacy sets what Options.HideAddresses asks of se: host candidates
// under an mDNS name (a random UUID and ".local", which only the local
// network resolves) in place of the machine's LAN addresses. Remote mDNS
// names are resolved in any case, as pion does by default.
func applyPrivacy(opts Options, se *webrtc.SettingEngine) {
	if opts.HideAddresses {
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeQueryAndGather)
	}
}

// transportPolicy is the ICE transport policy of Options.RelayOnly: only
// the TURN server's relay candidates are gathered, so that the description
// reveals none of the machine's own addresses.
func (o Options) transportPolicy() webrtc.ICETransportPolicy {
	if o.RelayOnly {
		return webrtc.ICETransportPolicyRelay
	}
	return webrtc.ICETransportPolicyAll
}
