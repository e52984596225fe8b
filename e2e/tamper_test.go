package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

// alterFingerprint puts another fingerprint into a real code, as anyone who
// passes the code on can: the checksums catch copying mistakes, not edits.
func alterFingerprint(t *testing.T, code string) string {
	t.Helper()
	var altered string
	if strings.HasPrefix(code, "pg4") {
		altered = alterCompact(t, code)
	} else {
		altered = alterFull(t, code)
	}
	before, err := offline.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	after, err := offline.Decode(altered)
	if err != nil {
		t.Fatalf("the altered code does not decode: %v", err)
	}
	if fingerprint(before.SDP) == fingerprint(after.SDP) {
		t.Fatal("the fingerprint is unchanged")
	}
	return altered
}

// alterCompact writes random bytes over the fingerprint in a compact code
// (bytes 5 to 36 of its payload) and computes its checksum again: the CRC-32
// of the prefix and the fields.
func alterCompact(t *testing.T, code string) string {
	t.Helper()
	prefix, body, _ := strings.Cut(code, ".")
	prefix += "."
	p, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	rand.Read(p[5:37])
	fields := p[:len(p)-4]
	sum := crc32.Update(crc32.ChecksumIEEE([]byte(prefix)), crc32.IEEETable, fields)
	binary.BigEndian.PutUint32(p[len(p)-4:], sum)
	return prefix + base64.RawURLEncoding.EncodeToString(p)
}

// alterFull replaces the fingerprint in the SDP of a full code and writes
// the code again; the ICE credentials, written out in full, stay as they
// were.
func alterFull(t *testing.T, code string) string {
	t.Helper()
	s, err := offline.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != offline.FormatFull {
		t.Fatalf("%q is in the %s format", code, s.Format)
	}
	fp := make([]byte, 32)
	rand.Read(fp)
	pairs := make([]string, len(fp))
	for i, b := range fp {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	s.SDP = strings.ReplaceAll(s.SDP, fingerprint(s.SDP), "a=fingerprint:sha-256 "+strings.Join(pairs, ":"))
	altered, err := offline.EncodeAs(s, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	return altered
}

// fingerprint returns the a=fingerprint line of an SDP.
func fingerprint(sdp string) string {
	for _, line := range strings.Split(sdp, "\r\n") {
		if strings.HasPrefix(line, "a=fingerprint:") {
			return line
		}
	}
	return ""
}

// TestAlteredCodes edits the fingerprint of a real code on its way, in both
// forms. The peers still reach each other, but must never connect.
//
// An altered answer: both sides say the code was altered and exit with code
// 6. In a full code DTLS finds that the certificate is not the one named; in
// a compact code, whose ICE credentials follow from its fingerprint, ICE
// fails first, each side throwing away the other's checks, and pigeon says
// the same.
//
// An altered offer is caught sooner: the answer names the offer as the
// callee read it, and the caller refuses it as made for another offer (exit
// code 7); the callee, whose checks the caller never answers, cannot connect
// (exit code 4).
func TestAlteredCodes(t *testing.T) {
	for _, format := range []string{"compact", "full"} {
		t.Run(format+"/answer", func(t *testing.T) { alteredAnswer(t, format) })
		t.Run(format+"/offer", func(t *testing.T) { alteredOffer(t, format) })
	}
}

// tamperWait are the limits of the pigeons of TestAlteredCodes: long enough
// for a loaded machine, short enough for the callee of an altered offer,
// who can only give up.
var tamperWait = []string{"--timeout", "10s", "--paste-wait", "10s"}

func alteredAnswer(t *testing.T, format string) {
	const mismatch = "pigeon: the peer's certificate does not match the code you pasted: the code was altered or belongs to another call"
	dir := t.TempDir()
	offer := filepath.Join(dir, "offer")
	caller := start(t, args([]string{"call", "--format", format, "--signal-out", offer, "--signal-in", "-"}, tamperWait, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	callee := start(t, args([]string{"answer", "--format", format, "--signal-in", offer, "--signal-out", "-"}, tamperWait, noMedia)...)
	waitOutput(t, "callee's answer", callee.stdout, "\n")
	fmt.Fprintln(caller.stdin, alterFingerprint(t, strings.TrimSpace(callee.stdout.String())))
	for name, p := range map[string]*proc{"caller": caller, "callee": callee} {
		if code := p.exit(t, 60*time.Second); code != 6 {
			t.Errorf("%s exit code %d, want 6; stderr:\n%s", name, code, p.stderr)
		}
		if last := lastLine(p.stderr.String()); last != mismatch {
			t.Errorf("%s said %q, want %q", name, last, mismatch)
		}
		if strings.Contains(p.stderr.String(), "pigeon: connected") {
			t.Errorf("%s connected", name)
		}
	}
}

func alteredOffer(t *testing.T, format string) {
	dir := t.TempDir()
	offer, altered, answer := filepath.Join(dir, "offer"), filepath.Join(dir, "altered"), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, args([]string{"call", "--format", format, "--signal-out", offer, "--signal-in", answer}, tamperWait, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	code, err := os.ReadFile(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(altered, []byte(alterFingerprint(t, strings.TrimSpace(string(code)))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	callee := start(t, args([]string{"answer", "--format", format, "--signal-in", altered, "--signal-out", answer}, tamperWait, noMedia)...)
	if code := caller.exit(t, 60*time.Second); code != 7 {
		t.Errorf("caller exit code %d, want 7; stderr:\n%s", code, caller.stderr)
	}
	if last := lastLine(caller.stderr.String()); !strings.Contains(last, "made for another offer") {
		t.Errorf("caller said %q", last)
	}
	if code := callee.exit(t, 60*time.Second); code != 4 {
		t.Errorf("callee exit code %d, want 4; stderr:\n%s", code, callee.stderr)
	}
	for name, p := range map[string]*proc{"caller": caller, "callee": callee} {
		if strings.Contains(p.stderr.String(), "pigeon: connected") {
			t.Errorf("%s connected", name)
		}
	}
}
