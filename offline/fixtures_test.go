package offline

import "strings"

// The fixtures below are session descriptions produced by pion/webrtc v4
// (host candidates on documentation addresses, one server-reflexive candidate
// added by hand), so that sizes and round trips are measured on what pigeon
// really sends rather than on toy strings.

// crlf turns the readable fixtures back into what pion writes: SDP lines end
// in CRLF, and the codec must carry those bytes unchanged.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// offerFull is an offer from pion with its default codecs: audio, video with every
// codec pion registers, and a data channel; the largest offer pigeon should meet.
var offerFull = crlf(`v=0
o=- 3678197250024228489 1795314694 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 49:31:30:1E:F9:5D:B3:ED:D7:CD:DF:9B:63:E8:92:08:3D:62:23:B2:E1:57:41:52:BB:26:A7:F2:2F:E5:FC:E3
a=extmap-allow-mixed
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:0
a=ice-ufrag:JwEyceEMSDjSmhiz
a=ice-pwd:njYKJIYEFkXqiBNsGbLAisHcagCUxNuR
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=rtpmap:9 G722/8000
a=rtcp-fb:9 transport-cc
a=rtpmap:0 PCMU/8000
a=rtcp-fb:0 transport-cc
a=rtpmap:8 PCMA/8000
a=rtcp-fb:8 transport-cc
a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:2177757136 cname:BJFNXORTXCTDKOmi
a=ssrc:2177757136 msid:BJFNXORTXCTDKOmi KVCGQSKvqkJUklGs
a=ssrc:2177757136 mslabel:BJFNXORTXCTDKOmi
a=ssrc:2177757136 label:KVCGQSKvqkJUklGs
a=msid:BJFNXORTXCTDKOmi KVCGQSKvqkJUklGs
a=sendrecv
a=candidate:2070692838 1 udp 2130706431 192.0.2.2 54599 typ host ufrag JwEyceEMSDjSmhiz
a=candidate:2070692838 2 udp 2130706431 192.0.2.2 54599 typ host ufrag JwEyceEMSDjSmhiz
a=candidate:3932658255 1 udp 2130706431 fd00::2 46452 typ host ufrag JwEyceEMSDjSmhiz
a=candidate:3932658255 2 udp 2130706431 fd00::2 46452 typ host ufrag JwEyceEMSDjSmhiz
a=candidate:1242521720 1 udp 1694498815 203.0.113.57 54599 typ srflx raddr 0.0.0.0 rport 54599 ufrag JwEyceEMSDjSmhiz
a=candidate:1242521720 2 udp 1694498815 203.0.113.57 54599 typ srflx raddr 0.0.0.0 rport 54599 ufrag JwEyceEMSDjSmhiz
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 116 117 45 46 98 99 100 101 112 113
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:1
a=ice-ufrag:JwEyceEMSDjSmhiz
a=ice-pwd:njYKJIYEFkXqiBNsGbLAisHcagCUxNuR
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 transport-cc
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtcp-fb:97 nack
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 transport-cc
a=rtpmap:102 H264/90000
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtcp-fb:102 goog-remb
a=rtcp-fb:102 ccm fir
a=rtcp-fb:102 nack
a=rtcp-fb:102 nack pli
a=rtcp-fb:102 transport-cc
a=rtpmap:103 rtx/90000
a=fmtp:103 apt=102
a=rtcp-fb:103 nack
a=rtcp-fb:103 nack pli
a=rtcp-fb:103 transport-cc
a=rtpmap:104 H264/90000
a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
a=rtcp-fb:104 goog-remb
a=rtcp-fb:104 ccm fir
a=rtcp-fb:104 nack
a=rtcp-fb:104 nack pli
a=rtcp-fb:104 transport-cc
a=rtpmap:105 rtx/90000
a=fmtp:105 apt=104
a=rtcp-fb:105 nack
a=rtcp-fb:105 nack pli
a=rtcp-fb:105 transport-cc
a=rtpmap:106 H264/90000
a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtcp-fb:106 goog-remb
a=rtcp-fb:106 ccm fir
a=rtcp-fb:106 nack
a=rtcp-fb:106 nack pli
a=rtcp-fb:106 transport-cc
a=rtpmap:107 rtx/90000
a=fmtp:107 apt=106
a=rtcp-fb:107 nack
a=rtcp-fb:107 nack pli
a=rtcp-fb:107 transport-cc
a=rtpmap:108 H264/90000
a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
a=rtcp-fb:108 goog-remb
a=rtcp-fb:108 ccm fir
a=rtcp-fb:108 nack
a=rtcp-fb:108 nack pli
a=rtcp-fb:108 transport-cc
a=rtpmap:109 rtx/90000
a=fmtp:109 apt=108
a=rtcp-fb:109 nack
a=rtcp-fb:109 nack pli
a=rtcp-fb:109 transport-cc
a=rtpmap:127 H264/90000
a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
a=rtcp-fb:127 goog-remb
a=rtcp-fb:127 ccm fir
a=rtcp-fb:127 nack
a=rtcp-fb:127 nack pli
a=rtcp-fb:127 transport-cc
a=rtpmap:125 rtx/90000
a=fmtp:125 apt=127
a=rtcp-fb:125 nack
a=rtcp-fb:125 nack pli
a=rtcp-fb:125 transport-cc
a=rtpmap:39 H264/90000
a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
a=rtcp-fb:39 goog-remb
a=rtcp-fb:39 ccm fir
a=rtcp-fb:39 nack
a=rtcp-fb:39 nack pli
a=rtcp-fb:39 transport-cc
a=rtpmap:40 rtx/90000
a=fmtp:40 apt=39
a=rtcp-fb:40 nack
a=rtcp-fb:40 nack pli
a=rtcp-fb:40 transport-cc
a=rtpmap:116 H265/90000
a=rtcp-fb:116 goog-remb
a=rtcp-fb:116 ccm fir
a=rtcp-fb:116 nack
a=rtcp-fb:116 nack pli
a=rtcp-fb:116 transport-cc
a=rtpmap:117 rtx/90000
a=fmtp:117 apt=116
a=rtcp-fb:117 nack
a=rtcp-fb:117 nack pli
a=rtcp-fb:117 transport-cc
a=rtpmap:45 AV1/90000
a=rtcp-fb:45 goog-remb
a=rtcp-fb:45 ccm fir
a=rtcp-fb:45 nack
a=rtcp-fb:45 nack pli
a=rtcp-fb:45 transport-cc
a=rtpmap:46 rtx/90000
a=fmtp:46 apt=45
a=rtcp-fb:46 nack
a=rtcp-fb:46 nack pli
a=rtcp-fb:46 transport-cc
a=rtpmap:98 VP9/90000
a=fmtp:98 profile-id=0
a=rtcp-fb:98 goog-remb
a=rtcp-fb:98 ccm fir
a=rtcp-fb:98 nack
a=rtcp-fb:98 nack pli
a=rtcp-fb:98 transport-cc
a=rtpmap:99 rtx/90000
a=fmtp:99 apt=98
a=rtcp-fb:99 nack
a=rtcp-fb:99 nack pli
a=rtcp-fb:99 transport-cc
a=rtpmap:100 VP9/90000
a=fmtp:100 profile-id=2
a=rtcp-fb:100 goog-remb
a=rtcp-fb:100 ccm fir
a=rtcp-fb:100 nack
a=rtcp-fb:100 nack pli
a=rtcp-fb:100 transport-cc
a=rtpmap:101 rtx/90000
a=fmtp:101 apt=100
a=rtcp-fb:101 nack
a=rtcp-fb:101 nack pli
a=rtcp-fb:101 transport-cc
a=rtpmap:112 H264/90000
a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
a=rtcp-fb:112 goog-remb
a=rtcp-fb:112 ccm fir
a=rtcp-fb:112 nack
a=rtcp-fb:112 nack pli
a=rtcp-fb:112 transport-cc
a=rtpmap:113 rtx/90000
a=fmtp:113 apt=112
a=rtcp-fb:113 nack
a=rtcp-fb:113 nack pli
a=rtcp-fb:113 transport-cc
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc-group:FID 154747935 108563034
a=ssrc:154747935 cname:ptlhKVBnDrBFcSTM
a=ssrc:154747935 msid:ptlhKVBnDrBFcSTM zMnpZSZwYwTTDStR
a=ssrc:154747935 mslabel:ptlhKVBnDrBFcSTM
a=ssrc:154747935 label:zMnpZSZwYwTTDStR
a=ssrc:108563034 cname:ptlhKVBnDrBFcSTM
a=ssrc:108563034 msid:ptlhKVBnDrBFcSTM zMnpZSZwYwTTDStR
a=ssrc:108563034 mslabel:ptlhKVBnDrBFcSTM
a=ssrc:108563034 label:zMnpZSZwYwTTDStR
a=msid:ptlhKVBnDrBFcSTM zMnpZSZwYwTTDStR
a=sendrecv
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:JwEyceEMSDjSmhiz
a=ice-pwd:njYKJIYEFkXqiBNsGbLAisHcagCUxNuR
`)

// offerMinimal is an offer with one audio codec (Opus), one video codec (VP8) and a
// data channel, the shape of offer pigeon makes itself.
var offerMinimal = crlf(`v=0
o=- 7186283199450987993 1795314697 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 40:E8:E0:50:3F:FD:A6:47:CA:F1:2B:3D:AC:AA:AE:85:28:6B:BE:5B:F2:1D:22:0B:3D:40:81:1B:4A:2F:DF:73
a=extmap-allow-mixed
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:0
a=ice-ufrag:eUqkALekeZpIPyYo
a=ice-pwd:ariJcbFFOfINoaiTqsuGdQOZwkeJbslA
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:3418795030 cname:rmcgjuYfHMkhaAJu
a=ssrc:3418795030 msid:rmcgjuYfHMkhaAJu zbqLkiwvHEMrilnp
a=ssrc:3418795030 mslabel:rmcgjuYfHMkhaAJu
a=ssrc:3418795030 label:zbqLkiwvHEMrilnp
a=msid:rmcgjuYfHMkhaAJu zbqLkiwvHEMrilnp
a=sendrecv
a=candidate:2070692838 1 udp 2130706431 192.0.2.2 59034 typ host ufrag eUqkALekeZpIPyYo
a=candidate:2070692838 2 udp 2130706431 192.0.2.2 59034 typ host ufrag eUqkALekeZpIPyYo
a=candidate:3932658255 1 udp 2130706431 fd00::2 48720 typ host ufrag eUqkALekeZpIPyYo
a=candidate:3932658255 2 udp 2130706431 fd00::2 48720 typ host ufrag eUqkALekeZpIPyYo
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:1
a=ice-ufrag:eUqkALekeZpIPyYo
a=ice-pwd:ariJcbFFOfINoaiTqsuGdQOZwkeJbslA
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 transport-cc
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=ssrc:2968119895 cname:ajjHZrwROvWhPNsm
a=ssrc:2968119895 msid:ajjHZrwROvWhPNsm pAvOkwyFBAybSAyB
a=ssrc:2968119895 mslabel:ajjHZrwROvWhPNsm
a=ssrc:2968119895 label:pAvOkwyFBAybSAyB
a=msid:ajjHZrwROvWhPNsm pAvOkwyFBAybSAyB
a=sendrecv
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:eUqkALekeZpIPyYo
a=ice-pwd:ariJcbFFOfINoaiTqsuGdQOZwkeJbslA
`)

// answerMinimal is the answer pion gives to offerMinimal.
var answerMinimal = crlf(`v=0
o=- 2640615123139989576 1795314697 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 3D:02:86:F2:08:BF:BD:E3:10:D2:94:7D:8E:37:14:85:5D:97:31:F3:9A:EF:3C:E5:E5:32:30:E5:20:6B:E7:0F
a=extmap-allow-mixed
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:active
a=mid:0
a=ice-ufrag:CRfHuhWtLPvdLUAW
a=ice-pwd:krbzAjtntVZLyaAkePOYlsZEjivkaThH
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=recvonly
a=candidate:2070692838 1 udp 2130706431 192.0.2.2 39123 typ host ufrag CRfHuhWtLPvdLUAW
a=candidate:2070692838 2 udp 2130706431 192.0.2.2 39123 typ host ufrag CRfHuhWtLPvdLUAW
a=candidate:3932658255 1 udp 2130706431 fd00::2 38081 typ host ufrag CRfHuhWtLPvdLUAW
a=candidate:3932658255 2 udp 2130706431 fd00::2 38081 typ host ufrag CRfHuhWtLPvdLUAW
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:active
a=mid:1
a=ice-ufrag:CRfHuhWtLPvdLUAW
a=ice-pwd:krbzAjtntVZLyaAkePOYlsZEjivkaThH
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 transport-cc
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=recvonly
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:active
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:CRfHuhWtLPvdLUAW
a=ice-pwd:krbzAjtntVZLyaAkePOYlsZEjivkaThH
`)

// offerData is an offer with a data channel only (text chat, no media).
var offerData = crlf(`v=0
o=- 2256348162733646730 1795314697 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 4E:CD:6E:5D:CE:0D:DB:53:86:F4:06:E8:82:FF:E0:E3:18:4B:5C:E2:67:FB:36:DD:A4:3A:05:B3:C1:7F:DF:8F
a=extmap-allow-mixed
a=group:BUNDLE 0
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:0
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:vpPRfrvKRmkGTlUc
a=ice-pwd:wzTqCROPIIycNUcuNueMIqxTKaidSWWU
a=candidate:2070692838 1 udp 2130706431 192.0.2.2 59313 typ host ufrag vpPRfrvKRmkGTlUc
a=candidate:2070692838 2 udp 2130706431 192.0.2.2 59313 typ host ufrag vpPRfrvKRmkGTlUc
a=candidate:3932658255 1 udp 2130706431 fd00::2 44104 typ host ufrag vpPRfrvKRmkGTlUc
a=candidate:3932658255 2 udp 2130706431 fd00::2 44104 typ host ufrag vpPRfrvKRmkGTlUc
a=end-of-candidates
`)

// answerData is the answer pion gives to offerData.
var answerData = crlf(`v=0
o=- 2871442331745459436 1795314697 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 F2:09:19:50:55:2E:58:41:FF:E1:E9:2C:41:8C:A2:04:35:58:3E:F0:42:D3:76:BC:AE:AB:B8:46:DE:51:CA:85
a=extmap-allow-mixed
a=group:BUNDLE 0
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:active
a=mid:0
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:gYRYDsyJpgzTzPgZ
a=ice-pwd:dqpUHdjraaNUNBaahXIJwclFXHxmOCAG
a=candidate:2070692838 1 udp 2130706431 192.0.2.2 60481 typ host ufrag gYRYDsyJpgzTzPgZ
a=candidate:2070692838 2 udp 2130706431 192.0.2.2 60481 typ host ufrag gYRYDsyJpgzTzPgZ
a=candidate:3932658255 1 udp 2130706431 fd00::2 57100 typ host ufrag gYRYDsyJpgzTzPgZ
a=candidate:3932658255 2 udp 2130706431 fd00::2 57100 typ host ufrag gYRYDsyJpgzTzPgZ
a=end-of-candidates
`)
