package offline

// The session descriptions below are what pigeon's call package made, on
// loopback, with offline.ICECredentials (but pigeonOfferNoTWCC): the
// sessions the compact form exists for. The first ones come from pion
// v4.2.20 (media set 1), as older pigeons still send them. Their ICE
// credentials were derived again, with the secrets 3f9c1a7e5b20d846,
// a41e07c9d2b85f13 and 5d82e6b0194fc7a3, when the credentials took a secret.

// pigeonOffer is an offer of pigeon's, sending audio and video: a caller
// with a camera and a microphone.
var pigeonOffer = crlf(`v=0
o=- 3334796576380424926 1795318757 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 ED:43:38:38:CD:13:E8:11:51:7C:03:5E:DA:88:37:EB:A4:FD:0F:FF:14:9A:14:34:1D:59:BE:34:02:A2:A8:75
a=extmap-allow-mixed
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:0
a=ice-ufrag:hZCxQg0Kw2qEDBGP
a=ice-pwd:3f9c1a7e5b20d8465tSaNPnf1Df0WUCz
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:2658038282 cname:5c21db9b-ecfe-45ed-a3a7-d1c074792361
a=ssrc:2658038282 msid:f0031c3f-94c8-4a60-a543-8eaf9891f847 pigeon-test-audio
a=ssrc:2658038282 mslabel:f0031c3f-94c8-4a60-a543-8eaf9891f847
a=ssrc:2658038282 label:pigeon-test-audio
a=msid:714727aa-96f9-41b6-a101-d092e979f3ac pigeon-test-audio
a=sendrecv
a=candidate:2878742611 1 udp 2130706431 127.0.0.1 43219 typ host ufrag hZCxQg0Kw2qEDBGP
a=candidate:2878742611 2 udp 2130706431 127.0.0.1 43219 typ host ufrag hZCxQg0Kw2qEDBGP
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:1
a=ice-ufrag:hZCxQg0Kw2qEDBGP
a=ice-pwd:3f9c1a7e5b20d8465tSaNPnf1Df0WUCz
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:2766137672 cname:559968c4-2c76-4936-b182-f6a23b02b750
a=ssrc:2766137672 msid:bcd94983-1781-4eae-b95e-ded114a7b101 pigeon-test-video
a=ssrc:2766137672 mslabel:bcd94983-1781-4eae-b95e-ded114a7b101
a=ssrc:2766137672 label:pigeon-test-video
a=msid:b93cca3c-5ea0-4d26-9416-b36e3b429f10 pigeon-test-video
a=sendrecv
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:hZCxQg0Kw2qEDBGP
a=ice-pwd:3f9c1a7e5b20d8465tSaNPnf1Df0WUCz
`)

// pigeonAnswerSending is the answer of a pigeon with a camera and a
// microphone to an offer that only receives.
var pigeonAnswerSending = crlf(`v=0
o=- 4531628130375195257 1795318757 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 3B:AB:52:8A:53:E4:39:1F:A5:74:AE:38:8F:33:F1:2F:AB:ED:62:26:FF:74:31:F6:AE:83:2B:EB:B9:CB:4B:1F
a=extmap-allow-mixed
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:active
a=mid:0
a=ice-ufrag:JPLLw9Zo5poxnBkJ
a=ice-pwd:a41e07c9d2b85f135b4Okgx61BCEmW31
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:1260039121 cname:4cfd515d-8f99-43cb-bc35-a6c70f09e8a4
a=ssrc:1260039121 msid:504ce0ef-6ec3-4d76-999d-d87d22ae5079 pigeon-test-audio
a=ssrc:1260039121 mslabel:504ce0ef-6ec3-4d76-999d-d87d22ae5079
a=ssrc:1260039121 label:pigeon-test-audio
a=msid:1ec7cb42-6df1-440e-8dd9-67a7f02aab6e pigeon-test-audio
a=sendonly
a=candidate:2878742611 1 udp 2130706431 127.0.0.1 42631 typ host ufrag JPLLw9Zo5poxnBkJ
a=candidate:2878742611 2 udp 2130706431 127.0.0.1 42631 typ host ufrag JPLLw9Zo5poxnBkJ
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:active
a=mid:1
a=ice-ufrag:JPLLw9Zo5poxnBkJ
a=ice-pwd:a41e07c9d2b85f135b4Okgx61BCEmW31
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:3369664073 cname:eff77baa-57c0-4f56-925b-cc3c92c56427
a=ssrc:3369664073 msid:bcf7ded4-4a9c-4903-b31d-ffde76db9ee4 pigeon-test-video
a=ssrc:3369664073 mslabel:bcf7ded4-4a9c-4903-b31d-ffde76db9ee4
a=ssrc:3369664073 label:pigeon-test-video
a=msid:bf430b5a-3de1-43d6-9b80-f1616d17bdd7 pigeon-test-video
a=sendonly
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:active
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:JPLLw9Zo5poxnBkJ
a=ice-pwd:a41e07c9d2b85f135b4Okgx61BCEmW31
`)

// pigeonAnswerReceiving is the answer of a pigeon without media to pigeonOffer.
var pigeonAnswerReceiving = crlf(`v=0
o=- 7937167212049081376 1795318757 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 63:BC:F4:EA:58:30:95:E5:55:08:2B:97:9E:F2:22:F2:B3:3F:BB:D6:90:AD:AB:0A:5D:CE:C2:60:11:4A:33:8F
a=extmap-allow-mixed
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:active
a=mid:0
a=ice-ufrag:YczQ5R6QluzE3Dfl
a=ice-pwd:5d82e6b0194fc7a3TKdHKiBcgDExNGKX
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=recvonly
a=candidate:2878742611 1 udp 2130706431 127.0.0.1 37538 typ host ufrag YczQ5R6QluzE3Dfl
a=candidate:2878742611 2 udp 2130706431 127.0.0.1 37538 typ host ufrag YczQ5R6QluzE3Dfl
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:active
a=mid:1
a=ice-ufrag:YczQ5R6QluzE3Dfl
a=ice-pwd:5d82e6b0194fc7a3TKdHKiBcgDExNGKX
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=recvonly
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:active
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:YczQ5R6QluzE3Dfl
a=ice-pwd:5d82e6b0194fc7a3TKdHKiBcgDExNGKX
`)

// pigeonOfferNoTWCC is an offer of pigeon's before it added congestion
// control (media set 0), with random ICE credentials: withDerivedCredentials
// makes it one of today's.
var pigeonOfferNoTWCC = crlf(`v=0
o=- 2170880519460196000 1795316441 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 4C:A8:78:C2:78:B4:E4:2B:B9:CE:9C:A9:66:C2:C3:D4:B0:B9:C2:E5:95:90:DD:31:38:69:80:BC:7E:9B:7D:69
a=extmap-allow-mixed
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:0
a=ice-ufrag:YpmOLalrvDnRZJWf
a=ice-pwd:ByfIPgEnyNXnQYpUZuUaRrzrPPxiRCgj
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=ssrc:2828482248 cname:149c92f8-eec7-44e4-a932-264fbad7dbf9
a=ssrc:2828482248 msid:6300a662-bede-4bf7-935d-50f158254a57 pigeon-test-audio
a=ssrc:2828482248 mslabel:6300a662-bede-4bf7-935d-50f158254a57
a=ssrc:2828482248 label:pigeon-test-audio
a=msid:0493a6e3-c3cf-492b-8da9-e7c98577a7bc pigeon-test-audio
a=sendrecv
a=candidate:2878742611 1 udp 2130706431 127.0.0.1 35929 typ host ufrag YpmOLalrvDnRZJWf
a=candidate:2878742611 2 udp 2130706431 127.0.0.1 35929 typ host ufrag YpmOLalrvDnRZJWf
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:1
a=ice-ufrag:YpmOLalrvDnRZJWf
a=ice-pwd:ByfIPgEnyNXnQYpUZuUaRrzrPPxiRCgj
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=ssrc:2777691075 cname:23d74478-27da-4826-884a-13a54a849c91
a=ssrc:2777691075 msid:c25679f9-6447-465b-8519-d69e44e951d6 pigeon-test-video
a=ssrc:2777691075 mslabel:c25679f9-6447-465b-8519-d69e44e951d6
a=ssrc:2777691075 label:pigeon-test-video
a=msid:a0704e95-c26e-4b7b-9c3b-d9c90aa3b2a4 pigeon-test-video
a=sendrecv
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:YpmOLalrvDnRZJWf
a=ice-pwd:ByfIPgEnyNXnQYpUZuUaRrzrPPxiRCgj
`)

// The sessions below are the same three as pion v4.2.26 writes them (media
// set 2): a=cryptex, and each candidate's generation; their credentials
// derived with the secrets 8c27d5e1a6b3f094, e05b9a3c71d4286f and
// b6f1283d9e0c4a57.

// pigeonOfferCryptex is pigeonOffer as pion v4.2.26 writes it.
var pigeonOfferCryptex = crlf(`v=0
o=- 3002118057933416815 1796589583 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 C6:22:7F:BA:04:4D:93:7D:3A:AF:DC:CB:93:D1:AC:92:94:11:18:E4:BE:4C:79:EF:BE:0A:7F:E0:6D:30:80:47
a=extmap-allow-mixed
a=cryptex
a=group:BUNDLE 0 1 2
a=ice-options:renomination
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:0
a=ice-ufrag:fgZ7G7L8F04gFEJf
a=ice-pwd:8c27d5e1a6b3f094zEK1BtgE7gYEKG4G
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:2335938215 cname:77f80e44-7040-4d57-8485-a57f0a02edb3
a=ssrc:2335938215 msid:f637fad9-d08b-47a1-81b1-0e201bda9665 pigeon-test-audio
a=ssrc:2335938215 mslabel:f637fad9-d08b-47a1-81b1-0e201bda9665
a=ssrc:2335938215 label:pigeon-test-audio
a=msid:2e425555-4ab7-47f6-be00-f47a02ac7d0d pigeon-test-audio
a=sendrecv
a=candidate:2878742611 1 udp 2130706431 127.0.0.1 50902 typ host ufrag fgZ7G7L8F04gFEJf generation 0
a=candidate:2878742611 2 udp 2130706431 127.0.0.1 50902 typ host ufrag fgZ7G7L8F04gFEJf generation 0
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:1
a=ice-ufrag:fgZ7G7L8F04gFEJf
a=ice-pwd:8c27d5e1a6b3f094zEK1BtgE7gYEKG4G
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:950002077 cname:3977ed21-7023-4282-913b-bb5b61234a86
a=ssrc:950002077 msid:5ba25417-07bc-4124-973f-e10ae2858f8a pigeon-test-video
a=ssrc:950002077 mslabel:5ba25417-07bc-4124-973f-e10ae2858f8a
a=ssrc:950002077 label:pigeon-test-video
a=msid:dfc31489-9361-4e7b-95d9-935a77da429e pigeon-test-video
a=sendrecv
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:actpass
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:fgZ7G7L8F04gFEJf
a=ice-pwd:8c27d5e1a6b3f094zEK1BtgE7gYEKG4G
`)

// pigeonAnswerSendingCryptex is pigeonAnswerSending as pion v4.2.26 writes
// it.
var pigeonAnswerSendingCryptex = crlf(`v=0
o=- 6174240879598879499 1796589583 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 44:DD:9F:12:14:6B:AC:60:BC:72:E3:34:B5:A2:23:0C:A5:0D:3E:60:C1:38:4B:5B:68:FC:0C:FF:5B:9A:B9:98
a=extmap-allow-mixed
a=cryptex
a=group:BUNDLE 0 1 2
a=ice-options:renomination
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:active
a=mid:0
a=ice-ufrag:vvw2VmNICdL8IopZ
a=ice-pwd:e05b9a3c71d4286fAbjvrrwhXk0a7UFE
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:1699216565 cname:85f1d210-2d6f-4328-bc4c-3350e248b092
a=ssrc:1699216565 msid:c4cd2d24-4e14-42e3-9df7-8d5839f54f73 pigeon-test-audio
a=ssrc:1699216565 mslabel:c4cd2d24-4e14-42e3-9df7-8d5839f54f73
a=ssrc:1699216565 label:pigeon-test-audio
a=msid:c1d7ec5f-0897-4232-ae0b-9b79d53a4e67 pigeon-test-audio
a=sendonly
a=candidate:2878742611 1 udp 2130706431 127.0.0.1 38072 typ host ufrag vvw2VmNICdL8IopZ generation 0
a=candidate:2878742611 2 udp 2130706431 127.0.0.1 38072 typ host ufrag vvw2VmNICdL8IopZ generation 0
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:active
a=mid:1
a=ice-ufrag:vvw2VmNICdL8IopZ
a=ice-pwd:e05b9a3c71d4286fAbjvrrwhXk0a7UFE
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=ssrc:3229228349 cname:5d196443-88b8-46e2-9981-1e7af9e5c631
a=ssrc:3229228349 msid:1bbe4be7-c0f6-4037-a246-78b78fb51646 pigeon-test-video
a=ssrc:3229228349 mslabel:1bbe4be7-c0f6-4037-a246-78b78fb51646
a=ssrc:3229228349 label:pigeon-test-video
a=msid:43df6bd3-ff42-4ae3-a00f-f4e545b1fe76 pigeon-test-video
a=sendonly
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:active
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:vvw2VmNICdL8IopZ
a=ice-pwd:e05b9a3c71d4286fAbjvrrwhXk0a7UFE
`)

// pigeonAnswerReceivingCryptex is pigeonAnswerReceiving as pion v4.2.26
// writes it, answering pigeonOfferCryptex.
var pigeonAnswerReceivingCryptex = crlf(`v=0
o=- 5834920849404289595 1796589583 IN IP4 0.0.0.0
s=-
t=0 0
a=msid-semantic:WMS *
a=fingerprint:sha-256 FB:EE:25:5C:08:7F:48:83:FB:88:6C:CB:1E:35:CA:E6:A2:FA:9A:04:8B:BA:0B:26:8F:24:C9:CC:39:B1:D1:6E
a=extmap-allow-mixed
a=cryptex
a=group:BUNDLE 0 1 2
a=ice-options:renomination
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=setup:active
a=mid:0
a=ice-ufrag:6nS3BDs5JuZv93p7
a=ice-pwd:b6f1283d9e0c4a57s1N7WHhaJZgmgBNs
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtcp-fb:111 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=recvonly
a=candidate:2878742611 1 udp 2130706431 127.0.0.1 42903 typ host ufrag 6nS3BDs5JuZv93p7 generation 0
a=candidate:2878742611 2 udp 2130706431 127.0.0.1 42903 typ host ufrag 6nS3BDs5JuZv93p7 generation 0
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=setup:active
a=mid:1
a=ice-ufrag:6nS3BDs5JuZv93p7
a=ice-pwd:b6f1283d9e0c4a57s1N7WHhaJZgmgBNs
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 transport-cc
a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=recvonly
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=setup:active
a=mid:2
a=sendrecv
a=sctp-port:5000
a=max-message-size:1073741823
a=ice-ufrag:6nS3BDs5JuZv93p7
a=ice-pwd:b6f1283d9e0c4a57s1N7WHhaJZgmgBNs
`)
