package mesh

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const fuzzID = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

// FuzzDecodeMessage feeds decodeMessage what a peer may send on the group
// channel: it must not panic, and what it takes must encode to a message
// it takes again, the same.
func FuzzDecodeMessage(f *testing.F) {
	sdp := "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\na=fingerprint:sha-256 " + fuzzID + "\r\n"
	for _, m := range []message{
		{Type: typeJoined, Peer: fuzzID},
		{Type: typeMembers, Peers: []string{fuzzID, fuzzID}},
		{Type: typeOffer, To: fuzzID, SDP: sdp},
		{Type: typeAnswer, From: fuzzID, SDP: sdp},
	} {
		data, err := json.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, hostile := range []string{
		``, `null`, `[]`, `"joined"`, `{}`, `{"type":1}`,
		`{"type":"takeover","peer":"x"}`,
		`{"type":"offer","to":"a","from":"b","sdp":"v=0"}`, // both ends named
		`{"type":"answer","sdp":"v=0"}`,                    // neither
		`{"type":"offer","to":"a"}`,                        // no description
		`{"type":"joined","peer":"a","sdp":"v=0"}`,
		`{"type":"members","peers":[null,1]}`,
		`{"type":"members","peers":"` + strings.Repeat("A", 100) + `"}`,
		`{"type":"joined","type":"offer","to":"a","sdp":"x"}`,
		`{"type":"joined","peer":"\ud800"}`,
		`{"type":"offer","to":"a","sdp":"` + strings.Repeat("a", maxMessage) + `"}`,
		strings.Repeat(`[`, 10000),
	} {
		f.Add([]byte(hostile))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMessage(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("a message taken that does not encode: %v", err)
		}
		back, err := decodeMessage(again)
		if err != nil {
			t.Fatalf("%q taken, but its encoding %q refused: %v", data, again, err)
		}
		if !reflect.DeepEqual(normal(m), normal(back)) {
			t.Fatalf("%q taken as %+v, encoded and taken again as %+v", data, m, back)
		}
	})
}

// normal makes an empty list nil, as omitempty encodes both.
func normal(m message) message {
	if len(m.Peers) == 0 {
		m.Peers = nil
	}
	return m
}

func TestDecodeMessage(t *testing.T) {
	for _, tc := range []struct {
		data string
		ok   bool
	}{
		{`{"type":"joined","peer":"` + fuzzID + `"}`, true},
		{`{"type":"offer","to":"` + fuzzID + `","sdp":"v=0"}`, true},
		{`{"type":"answer","from":"` + fuzzID + `","sdp":"v=0"}`, true},
		{`{"type":"offer","to":"a","from":"b","sdp":"v=0"}`, false},
		{`{"type":"answer","sdp":"v=0"}`, false},
		{`{"type":"members","peers":["a"],"sdp":"v=0"}`, false},
		{`{"type":"takeover"}`, false},
		{`{"type":"joined"`, false},
		{`{"type":"offer","to":"a","sdp":"` + strings.Repeat("a", maxMessage) + `"}`, false},
	} {
		_, err := decodeMessage([]byte(tc.data))
		if (err == nil) != tc.ok {
			t.Errorf("decodeMessage(%.60q): %v, want taken %v", tc.data, err, tc.ok)
		}
	}
}
