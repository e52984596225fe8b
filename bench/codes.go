package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
)

// CodeSize is how big one offer is in one format.
type CodeSize struct {
	Chars, Bytes, QRVersion int // QRVersion 0: no QR code holds it
}

// CodeSizeRow is one candidate set, in every format.
type CodeSizeRow struct {
	Candidates string // "2 IPv4", say
	Sizes      map[offline.Format]CodeSize
}

// CodeFormats are the columns of the code size table; FormatSDP is the raw
// description.
var CodeFormats = []offline.Format{offline.FormatCompact, offline.FormatFull, offline.FormatJSON, offline.FormatSDP}

// CodeSizes measures a real pigeon offer (audio, video and chat, test
// sources) with 1, 2 and 4 host candidates of each address family, on
// documentation addresses, in each format.
func CodeSizes() ([]CodeSizeRow, error) {
	sdp, err := pigeonOffer()
	if err != nil {
		return nil, err
	}
	var rows []CodeSizeRow
	for _, family := range []string{"IPv4", "IPv6"} {
		for _, n := range []int{1, 2, 4} {
			withCandidates, err := replaceCandidates(sdp, family, n)
			if err != nil {
				return nil, err
			}
			row := CodeSizeRow{Candidates: fmt.Sprintf("%d %s", n, family), Sizes: map[offline.Format]CodeSize{}}
			for _, f := range CodeFormats {
				text := withCandidates
				if f != offline.FormatSDP {
					text, err = offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: withCandidates, Created: time.Now()}, f)
					if err != nil {
						return nil, fmt.Errorf("%s in %v: %w", row.Candidates, f, err)
					}
				}
				chars, version := offline.Measure(text)
				row.Sizes[f] = CodeSize{Chars: chars, Bytes: offline.PayloadSize(text), QRVersion: version}
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// pigeonOffer makes the offer a pigeon caller with test sources makes.
func pigeonOffer() (string, error) {
	media, err := capture.Open(capture.Options{Video: capture.Test, Audio: capture.Test})
	if err != nil {
		return "", err
	}
	defer media.Close()
	var tracks []webrtc.TrackLocal
	for _, t := range media.Tracks() {
		tracks = append(tracks, t)
	}
	s, err := call.New(call.Options{Role: call.Caller, Tracks: tracks, Interfaces: []string{"lo"}, Credentials: offline.ICECredentials})
	if err != nil {
		return "", err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := s.Offer(ctx)
	if err != nil {
		return "", err
	}
	return offer.SDP, nil
}

// replaceCandidates puts n host candidates of family, on documentation
// addresses, in place of the offer's own.
func replaceCandidates(sdp, family string, n int) (string, error) {
	var kept []string
	for _, line := range strings.Split(sdp, "\r\n") {
		if !strings.HasPrefix(line, "a=candidate:") {
			kept = append(kept, line)
		}
	}
	out := strings.Join(kept, "\r\n")
	var lines strings.Builder
	for i := range n {
		addr := fmt.Sprintf("192.0.2.%d", 10+i)
		if family == "IPv6" {
			addr = fmt.Sprintf("2001:db8::%x", 0x10+i)
		}
		// Priority as pion gives a host candidate: type 126, local 65535, component 1.
		fmt.Fprintf(&lines, "a=candidate:%d 1 udp %d %s %d typ host\r\n", 1000+i, 126<<24|65535<<8|255, addr, 50000+i)
	}
	at := strings.Index(out, "a=end-of-candidates\r\n")
	if at < 0 {
		return "", fmt.Errorf("the offer has no end of candidates")
	}
	return out[:at] + lines.String() + out[at:], nil
}

// WriteCodeSizes writes the code size table in Markdown.
func WriteCodeSizes(w io.Writer, rows []CodeSizeRow) {
	fmt.Fprint(w, "| candidates |")
	for _, f := range CodeFormats {
		fmt.Fprintf(w, " %v |", f)
	}
	fmt.Fprint(w, "\n| --- |")
	for range CodeFormats {
		fmt.Fprint(w, " ---: |")
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |", r.Candidates)
		for _, f := range CodeFormats {
			s := r.Sizes[f]
			qr := fmt.Sprintf("QR %d", s.QRVersion)
			if s.QRVersion == 0 {
				qr = "no QR"
			}
			fmt.Fprintf(w, " %d chars, %d B, %s |", s.Chars, s.Bytes, qr)
		}
		fmt.Fprintln(w)
	}
}
