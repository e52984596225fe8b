package call

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/pion/webrtc/v4"
)

// FuzzNegotiation feeds the negotiation channel's decoder what a peer may
// send, group messages among it: it must not panic, a group message it
// takes is a JSON object, handed on as it came, and what it takes encodes
// to a message it takes again, the same.
func FuzzNegotiation(f *testing.F) {
	for _, m := range []negotiation{
		{Description: &webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0\r\n"}},
		{OfferPlease: true},
		{Restart: true, Candidates: []string{"candidate:1 1 udp 1 127.0.0.1 5000 typ host"}},
		{Applied: true},
		{Group: json.RawMessage(`{"type":"joined","peer":"AB:CD"}`)},
		{Group: json.RawMessage(`{"type":"offer","to":"AB","sdp":"v=0\r\n"}`)},
	} {
		data, err := json.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, hostile := range []string{
		``, `null`, `{}`, `{"group":null}`, `{"group":1}`, `{"group":"x"}`, `{"group":[{}]}`,
		`{"group":{"type":"joined"`, `{"group":{},"description":{"type":"answer","sdp":""}}`,
		`{"group":{"a":` + strings.Repeat(`[`, 5000) + `}}`,
		`{"description":{"type":"bogus","sdp":"v=0"}}`,
		`{"group": {"type":"members","peers":["\u0000"]}}`,
	} {
		f.Add([]byte(hostile))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeNegotiation(data)
		if err != nil {
			return
		}
		if len(m.Group) > 0 {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(m.Group, &obj); err != nil {
				t.Fatalf("group message %q taken, which is not a JSON object: %v", m.Group, err)
			}
			if !bytes.Contains(data, m.Group) {
				t.Fatalf("group message %q is not what came (%q)", m.Group, data)
			}
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%+v taken, which does not encode: %v", m, err)
		}
		back, err := decodeNegotiation(again)
		if err != nil {
			t.Fatalf("%q taken, but its encoding %q refused: %v", data, again, err)
		}
		if !reflect.DeepEqual(compactGroup(t, m), compactGroup(t, back)) {
			t.Fatalf("%q taken as %+v, encoded and taken again as %+v", data, m, back)
		}
	})
}

// compactGroup writes m's group message as its value (the encoding
// drops spaces and escapes HTML), and an empty list as nil, as the
// encoding does.
func compactGroup(t *testing.T, m negotiation) negotiation {
	if len(m.Group) > 0 {
		var v any
		if err := json.Unmarshal(m.Group, &v); err != nil {
			t.Fatal(err)
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		m.Group = again
	}
	if len(m.Candidates) == 0 {
		m.Candidates = nil
	}
	return m
}

func TestDecodeNegotiationGroup(t *testing.T) {
	for _, tc := range []struct {
		data, group string
		ok          bool
	}{
		{`{"group":{"type":"joined"}}`, `{"type":"joined"}`, true},
		{`{"group":null}`, ``, true},
		{`{"group":"joined"}`, ``, false},
		{`{"group":[1]}`, ``, false},
		{`{"group":{"type":`, ``, false},
	} {
		m, err := decodeNegotiation([]byte(tc.data))
		if (err == nil) != tc.ok || string(m.Group) != tc.group {
			t.Errorf("decodeNegotiation(%q) = group %q, %v; want %q, taken %v", tc.data, m.Group, err, tc.group, tc.ok)
		}
	}
}

// TestGroupMessagesInOrder has a message come while the ones kept until the
// call opened are still being handed on: it is told after them.
func TestGroupMessagesInOrder(t *testing.T) {
	s := &Session{}
	var mu sync.Mutex
	var got []string
	first, release := make(chan struct{}), make(chan struct{})
	s.OnGroup(func(data []byte) {
		if string(data) == "1" {
			close(first)
			<-release
		}
		mu.Lock()
		got = append(got, string(data))
		mu.Unlock()
	})
	s.receiveGroup([]byte("1"))
	opened := make(chan struct{})
	go func() {
		s.openGroup()
		close(opened)
	}()
	<-first
	s.receiveGroup([]byte("2")) // as the negotiation channel hands it on
	close(release)
	<-opened
	s.receiveGroup([]byte("3"))
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"1", "2", "3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("told %q, want %q", got, want)
	}
}
