package e2e

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"github.com/pigeon-call/pigeon/internal/pionlog"
	"github.com/pigeon-call/pigeon/offline"
)

// noMedia are the flags of a light pigeon on loopback.
var noMedia = []string{"--video", "none", "--audio", "none", "--interface", "lo"}

func args(a ...[]string) []string {
	var all []string
	for _, x := range a {
		all = append(all, x...)
	}
	return all
}

// TestAnswerForAnotherOffer gives a caller the answer to another caller's
// offer, as a person who mixed up two chats would: it refuses it, says
// so, and exits with code 7.
func TestAnswerForAnotherOffer(t *testing.T) {
	dir := t.TempDir()
	o1, o2 := filepath.Join(dir, "offer1"), filepath.Join(dir, "offer2")
	a1, a2 := mkfifo(t, filepath.Join(dir, "answer1")), mkfifo(t, filepath.Join(dir, "answer2"))
	caller1 := start(t, args([]string{"call", "--signal-out", o1, "--signal-in", a1}, noMedia)...)
	caller2 := start(t, args([]string{"call", "--signal-out", o2, "--signal-in", a2}, noMedia)...)
	waitOutput(t, "caller 2", caller2.stderr, "offer written to")
	waitOutput(t, "caller 1", caller1.stderr, "offer written to")
	// The callee answers caller 2's offer, and its answer goes to caller 1.
	start(t, args([]string{"answer", "--signal-in", o2, "--signal-out", a1}, noMedia)...)

	if code := caller1.exit(t, 20*time.Second); code != 7 {
		t.Fatalf("caller 1 exit code %d, want 7; stderr:\n%s", code, caller1.stderr)
	}
	if last := lastLine(caller1.stderr.String()); !strings.HasPrefix(last, "pigeon: this answer was made for another offer") {
		t.Errorf("last line %q, want one saying the answer is another offer's", last)
	}
	if strings.Contains(caller1.stderr.String(), "connected") {
		t.Errorf("caller 1 connected:\n%s", caller1.stderr)
	}
}

// TestSecondAnswerRefused pastes the answer a caller already has into the
// call once it is up, as a replay would: the caller refuses it, says so,
// does not send it to the peer as chat, and the call goes on.
func TestSecondAnswerRefused(t *testing.T) {
	dir := t.TempDir()
	offer := filepath.Join(dir, "offer")
	// The test carries the answer from the callee's stdout to the caller's
	// stdin, so that it can paste it a second time.
	caller := start(t, args([]string{"call", "--signal-out", offer, "--signal-in", "-"}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", "-"}, noMedia)...)
	waitOutput(t, "callee's answer", callee.stdout, "\n")
	answer := strings.TrimSpace(callee.stdout.String())
	if !strings.HasPrefix(answer, "pg4a.") {
		t.Fatalf("the callee wrote %q, want a compact answer", answer)
	}
	fmt.Fprintln(caller.stdin, answer)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")

	fmt.Fprintln(caller.stdin, answer)
	waitOutput(t, "caller", caller.stderr, "not sent to the peer: this call has already taken an answer to its offer: a second answer is refused")
	fmt.Fprintln(caller.stdin, "after the replay")
	waitOutput(t, "callee's chat", callee.stdout, "after the replay\n")
	if n := strings.Count(callee.stdout.String(), answer); n != 1 {
		t.Errorf("the callee's output holds the answer %d times, want once (its own):\n%s", n, callee.stdout)
	}
	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d, want 0", code)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d, want 0", code)
	}
}

// TestThirdPartyCandidates rewrites the address in a real offer to a third
// party's, as someone passing the code on could (the checksum of a code is
// no seal: anyone can compute it). pigeon does not refuse a code for its
// addresses, since a public one is what a peer across the internet has;
// it says where the code points, and sends that address only ICE
// connectivity checks, which hold the peer's credentials and which a third
// party cannot answer. The call fails to connect (exit code 4) and the
// third party has received nothing but those checks.
func TestThirdPartyCandidates(t *testing.T) {
	third, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	received := make(chan []byte, 1000)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := third.ReadFromUDP(buf)
			if err != nil {
				close(received)
				return
			}
			received <- append([]byte(nil), buf[:n]...)
		}
	}()

	dir := t.TempDir()
	offerFile, tampered := filepath.Join(dir, "offer"), filepath.Join(dir, "tampered")
	caller := start(t, args([]string{"call", "--signal-out", offerFile, "--signal-in", mkfifo(t, filepath.Join(dir, "answer"))}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	text, err := os.ReadFile(offerFile)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := offline.Decode(string(text))
	if err != nil {
		t.Fatal(err)
	}
	cands := offline.Inspect(offer).Candidates
	if len(cands) != 1 {
		t.Fatalf("the offer has %d candidates, want the one on lo", len(cands))
	}
	thirdPort := third.LocalAddr().(*net.UDPAddr).Port
	from := fmt.Sprintf(" %s %d typ", cands[0].Address, cands[0].Port)
	offer.SDP = strings.ReplaceAll(offer.SDP, from, fmt.Sprintf(" 127.0.0.1 %d typ", thirdPort))
	code, err := offline.Encode(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, []byte(code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	callee := start(t, args([]string{"answer", "--signal-in", tampered, "--signal-out", filepath.Join(dir, "out"),
		"--paste-wait", "3s", "--timeout", "3s"}, noMedia)...)
	if code := callee.exit(t, 30*time.Second); code != 4 {
		t.Fatalf("callee exit code %d, want 4; stderr:\n%s", code, callee.stderr)
	}
	if want := fmt.Sprintf("pigeon: the peer's offer points to 127.0.0.1:%d (loopback)", thirdPort); !strings.Contains(callee.stderr.String(), want) {
		t.Errorf("the callee did not say %q:\n%s", want, callee.stderr)
	}
	if last := lastLine(callee.stderr.String()); !strings.Contains(last, "could not connect to the peer") {
		t.Errorf("last line %q, want that it could not connect", last)
	}

	third.Close()
	packets := 0
	for p := range received {
		packets++
		// A STUN binding request (RFC 8489 §5): type 0x0001, the magic
		// cookie.
		if len(p) < 20 || binary.BigEndian.Uint16(p) != 0x0001 || binary.BigEndian.Uint32(p[4:]) != 0x2112A442 {
			t.Fatalf("the third party received % x, which is no STUN binding request", p[:min(len(p), 24)])
		}
	}
	if packets == 0 {
		t.Fatal("the third party received nothing: the test did not point the offer at it")
	}
	t.Logf("the third party received %d connectivity checks", packets)
}

// verifyPair starts a caller and a callee with --verify, their codes going
// through FIFOs, and waits until both ask about the safety number, which
// it returns.
func verifyPair(t *testing.T) (caller, callee *proc, number string) {
	t.Helper()
	dir := t.TempDir()
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	caller = start(t, args([]string{"call", "--verify", "--signal-out", offer, "--signal-in", answer}, noMedia)...)
	callee = start(t, args([]string{"answer", "--verify", "--signal-in", offer, "--signal-out", answer}, noMedia)...)
	var numbers [2]string
	for i, p := range []*proc{caller, callee} {
		waitOutput(t, "the question", p.stderr, "media and chat wait until you confirm it")
		m := regexp.MustCompile(`safety number (\d{3} \d{3}): media and chat wait`).FindStringSubmatch(p.stderr.String())
		if m == nil {
			t.Fatalf("no safety number asked about in:\n%s", p.stderr)
		}
		numbers[i] = m[1]
	}
	if numbers[0] != numbers[1] {
		t.Fatalf("the two sides ask about %s and %s", numbers[0], numbers[1])
	}
	return caller, callee, numbers[0]
}

// TestVerifyConfirmed has both users confirm (one types yes, the other the
// digits): nothing typed before that reaches the peer until then, and the
// call goes on.
func TestVerifyConfirmed(t *testing.T) {
	caller, callee, number := verifyPair(t)
	fmt.Fprintln(caller.stdin, "maybe")
	waitOutput(t, "caller", caller.stderr, "type yes if your peer sees "+number)
	fmt.Fprintln(caller.stdin, "yes")
	waitOutput(t, "caller", caller.stderr, "pigeon: safety number confirmed")
	fmt.Fprintln(caller.stdin, "typed before the callee confirmed")
	// Nothing a held callee shows marks the message's arrival: give it time.
	time.Sleep(time.Second)
	if out := callee.stdout.String(); out != "" {
		t.Fatalf("the callee, not yet confirmed, showed %q", out)
	}
	fmt.Fprintln(callee.stdin, strings.ReplaceAll(number, " ", ""))
	waitOutput(t, "callee", callee.stderr, "pigeon: safety number confirmed")
	waitOutput(t, "callee's chat", callee.stdout, "typed before the callee confirmed\n")
	fmt.Fprintln(callee.stdin, "confirmed both ways")
	waitOutput(t, "caller's chat", caller.stdout, "confirmed both ways\n")
	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d, want 0", code)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Errorf("callee exit code %d, want 0", code)
	}
}

// TestVerifyMismatch has the caller's user say the numbers differ: the
// caller warns, ends the call with exit code 8, and nothing it was told to
// send reached the callee.
func TestVerifyMismatch(t *testing.T) {
	caller, callee, _ := verifyPair(t)
	fmt.Fprintln(caller.stdin, "a secret said too early")
	fmt.Fprintln(caller.stdin, "no")
	if code := caller.exit(t, 10*time.Second); code != 8 {
		t.Fatalf("caller exit code %d, want 8; stderr:\n%s", code, caller.stderr)
	}
	if !strings.Contains(caller.stderr.String(), "WARNING: the safety numbers differ") {
		t.Errorf("the caller did not warn:\n%s", caller.stderr)
	}
	if last := lastLine(caller.stderr.String()); !strings.Contains(last, "safety number was not confirmed") {
		t.Errorf("last line %q", last)
	}
	callee.exit(t, 20*time.Second)
	if out := callee.stdout.String(); out != "" {
		t.Errorf("the callee showed %q", out)
	}
}

// TestHideIPs calls between two pigeons with --hide-ips on loopback: each
// says its code reveals no IP address, the codes hold none, and the call
// comes up over the mDNS names.
func TestHideIPs(t *testing.T) {
	dir := t.TempDir()
	offer, answer := filepath.Join(dir, "offer"), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, args([]string{"call", "--hide-ips", "--signal-out", offer, "--signal-in", answer}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	code, err := os.ReadFile(offer)
	if err != nil {
		t.Fatal(err)
	}
	callee := start(t, args([]string{"answer", "--hide-ips", "--signal-in", offer, "--signal-out", answer}, noMedia)...)
	for _, p := range []*proc{caller, callee} {
		waitOutput(t, "its code's addresses", p.stderr, "reveals no IP address, only mDNS names")
	}
	sig, err := offline.Decode(string(code))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(code), "pg4o.") {
		t.Errorf("the offer %q is not compact", code)
	}
	for _, c := range offline.Inspect(sig).Candidates {
		if c.Reveals() {
			t.Errorf("the offer reveals %s", c.Address)
		}
	}
	waitOutput(t, "callee", callee.stderr, "the peer's offer points to ")
	if !regexp.MustCompile(`the peer's offer points to [0-9a-f-]{36}\.local:\d+ \(mDNS name\)`).MatchString(callee.stderr.String()) {
		t.Errorf("the callee does not show the offer's mDNS name:\n%s", callee.stderr)
	}
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	fmt.Fprintln(caller.stdin, "no address given")
	waitOutput(t, "callee's chat", callee.stdout, "no address given\n")
	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d, want 0", code)
	}
}

func TestRelayOnlyNeedsTURN(t *testing.T) {
	p := start(t, "call", "--relay-only", "--video", "none", "--audio", "none")
	if code := p.exit(t, 10*time.Second); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if last := lastLine(p.stderr.String()); !strings.Contains(last, "--relay-only needs a TURN server") {
		t.Errorf("last line %q", last)
	}
}

// TestKnownPeers has alice call bob three times, each with --identity and
// --peer: the first call records the other's certificate, the second finds
// it unchanged, and in the third "bob" answers with another identity (as
// someone posing as him would): alice warns, ends the call and exits with
// code 9, having sent nothing.
func TestKnownPeers(t *testing.T) {
	dir := t.TempDir()
	aliceID, bobID, otherID := filepath.Join(dir, "alice.pem"), filepath.Join(dir, "bob.pem"), filepath.Join(dir, "other.pem")
	aliceKnown, bobKnown := filepath.Join(dir, "alice_known"), filepath.Join(dir, "bob_known")
	callOnce := func(n int, calleeID string) (*proc, *proc) {
		offer, answer := mkfifo(t, filepath.Join(dir, fmt.Sprint("offer", n))), mkfifo(t, filepath.Join(dir, fmt.Sprint("answer", n)))
		alice := start(t, args([]string{"call", "--identity", aliceID, "--peer", "bob", "--known-peers", aliceKnown,
			"--signal-out", offer, "--signal-in", answer}, noMedia)...)
		bob := start(t, args([]string{"answer", "--identity", calleeID, "--peer", "alice", "--known-peers", bobKnown,
			"--signal-in", offer, "--signal-out", answer}, noMedia)...)
		return alice, bob
	}
	// hangUp ends a call, once both sides show the same safety number,
	// and returns it.
	hangUp := func(alice, bob *proc) string {
		t.Helper()
		var numbers [2]string
		for i, p := range []*proc{alice, bob} {
			waitOutput(t, "safety number", p.stderr, ": read it to your peer")
			numbers[i] = regexp.MustCompile(`safety number (\d{3} \d{3})`).FindStringSubmatch(p.stderr.String())[1]
		}
		if numbers[0] != numbers[1] {
			t.Errorf("alice sees %s, bob %s", numbers[0], numbers[1])
		}
		alice.stdin.Close()
		if code := alice.exit(t, 10*time.Second); code != 0 {
			t.Fatalf("alice exit code %d", code)
		}
		bob.exit(t, 10*time.Second)
		return numbers[0]
	}

	alice, bob := callOnce(1, bobID)
	waitOutput(t, "alice", alice.stderr, "bob is now a known peer")
	waitOutput(t, "bob", bob.stderr, "alice is now a known peer")
	first := hangUp(alice, bob)
	for _, f := range []string{aliceID, bobID, aliceKnown, bobKnown} {
		if info, err := os.Stat(f); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want a file only its owner reads", f, err)
		}
	}
	if !strings.Contains(alice.stderr.String(), "made a new identity in "+aliceID) {
		t.Errorf("alice did not say she made an identity:\n%s", alice.stderr)
	}

	alice, bob = callOnce(2, bobID)
	waitOutput(t, "alice", alice.stderr, "bob's certificate is the one on record")
	waitOutput(t, "bob", bob.stderr, "alice's certificate is the one on record")
	// The same two identities, a new number: each call draws its own
	// values.
	if second := hangUp(alice, bob); second == first {
		t.Errorf("two calls between the same identities both show %s", first)
	}

	alice, bob = callOnce(3, otherID)
	fmt.Fprintln(alice.stdin, "for bob only")
	if code := alice.exit(t, 20*time.Second); code != 9 {
		t.Fatalf("alice exit code %d, want 9; stderr:\n%s", code, alice.stderr)
	}
	if last := lastLine(alice.stderr.String()); !strings.HasPrefix(last, "pigeon: WARNING: bob's certificate has changed") {
		t.Errorf("last line %q, want the warning", last)
	}
	bob.exit(t, 20*time.Second)
	if strings.Contains(bob.stdout.String(), "for bob only") {
		t.Error("the impostor got alice's message")
	}
}

// TestNoSecretsInOutput makes a verbose call with a trace and recordings,
// its codes through files, and looks for what must not leak in what pigeon
// printed and wrote: the ICE passwords of both sides, a private key, the
// codes themselves (printed only where --signal-out says); and checks that
// the files that hold the call are readable only by their owner.
func TestNoSecretsInOutput(t *testing.T) {
	dir := t.TempDir()
	offerFile := filepath.Join(dir, "offer")
	media := []string{"--video", "test", "--audio", "test", "--interface", "lo", "-v"}
	caller := start(t, args([]string{"call", "--signal-out", offerFile, "--signal-in", "-",
		"--trace", filepath.Join(dir, "caller.trace"), "--record", filepath.Join(dir, "caller.webm")}, media)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	callee := start(t, args([]string{"answer", "--signal-in", offerFile, "--signal-out", "-",
		"--trace", filepath.Join(dir, "callee.trace"), "--record", filepath.Join(dir, "callee")}, media)...)
	waitOutput(t, "callee's answer", callee.stdout, "\n")
	answerCode := strings.TrimSpace(callee.stdout.String())
	fmt.Fprintln(caller.stdin, answerCode)
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
	for _, p := range []*proc{caller, callee} {
		waitReceived(t, p, atLeast(5, 10)) // something for the recordings and traces to hold
	}
	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("caller exit code %d", code)
	}
	if code := callee.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("callee exit code %d", code)
	}

	offerCode, err := os.ReadFile(offerFile)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, code := range []string{strings.TrimSpace(string(offerCode)), answerCode} {
		sig, err := offline.Decode(code)
		if err != nil {
			t.Fatal(err)
		}
		var pwd string
		for _, line := range strings.Split(sig.SDP, "\r\n") {
			if p, ok := strings.CutPrefix(line, "a=ice-pwd:"); ok {
				pwd = p
			}
		}
		if len(pwd) < 22 {
			t.Fatalf("no ICE password in the %s", sig.Kind)
		}
		secrets = append(secrets, pwd, code, offline.QRText(code))
	}
	secrets = append(secrets, "PRIVATE KEY")

	outputs := map[string]string{
		"the caller's stderr": caller.stderr.String(),
		"the callee's stderr": callee.stderr.String(),
		"the caller's stdout": caller.stdout.String(),
	}
	for _, f := range []string{"caller.trace", "callee.trace"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	if !strings.Contains(outputs["the caller's stderr"], "pigeon: path: ") {
		t.Fatalf("the caller's output is not verbose:\n%s", outputs["the caller's stderr"])
	}
	for name, out := range outputs {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%s holds %.30q", name, secret)
			}
		}
	}
	// The callee printed its answer on stdout, as --signal-out - asked.
	if !strings.HasPrefix(callee.stdout.String(), answerCode+"\n") {
		t.Errorf("the callee's stdout does not start with its answer")
	}

	for _, f := range []string{"offer", "caller.trace", "callee.trace", "caller.webm", "callee"} {
		info, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has permissions %o: others may read the call", f, perm)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, "caller.webm")); err != nil || info.Size() == 0 {
		t.Errorf("the caller's recording is empty: %v", err)
	}
}

// TestRelayOnlyThroughTURN calls between two pigeons with --relay-only
// through a TURN server the test runs on loopback: each says its code
// reveals only the server's relay address, and /stats shows the call
// relayed.
func TestRelayOnlyThroughTURN(t *testing.T) {
	turnURL := startTURN(t, "pigeon", "secret")
	relay := []string{"--relay-only", "--turn", turnURL, "--turn-user", "pigeon", "--turn-pass", "secret"}
	dir := t.TempDir()
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, args([]string{"call", "--signal-out", offer, "--signal-in", answer}, relay, noMedia)...)
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer}, relay, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "this offer reveals 127.0.0.1 (loopback, relay)\n")
	waitOutput(t, "callee", callee.stderr, "this answer reveals 127.0.0.1 (loopback, relay)\n")
	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	fmt.Fprintln(caller.stdin, "/stats")
	waitOutput(t, "caller's /stats", caller.stderr, "pigeon: path: relayed")
	for _, p := range []*proc{caller, callee} {
		if strings.Contains(p.stderr.String(), "host") {
			t.Errorf("a host candidate was mentioned:\n%s", p.stderr)
		}
		if strings.Contains(p.stderr.String(), "secret") {
			t.Errorf("the TURN password was printed:\n%s", p.stderr)
		}
	}
	caller.stdin.Close()
	if code := caller.exit(t, 10*time.Second); code != 0 {
		t.Errorf("caller exit code %d", code)
	}
}

// startTURN runs a TURN server on loopback for the test, with one user, and
// returns its URL.
func startTURN(t *testing.T, user, pass string) string {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const realm = "pigeon.test"
	key := turn.GenerateAuthKey(user, realm, pass)
	server, err := turn.NewServer(turn.ServerConfig{
		Realm:         realm,
		LoggerFactory: pionlog.Discard,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			if ra.Username == user {
				return user, key, true
			}
			return "", nil, false
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return "turn:" + conn.LocalAddr().String()
}

// TestReceivedFilesArePrivate sends a file and a directory to a callee that
// takes them: what it saves is readable only by its user.
func TestReceivedFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "letter.txt")
	tree := filepath.Join(dir, "album")
	if err := os.WriteFile(src, []byte("dear peer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tree, "2026"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "2026", "photo.jpg"), []byte("not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	downloads := mkdir(t, filepath.Join(dir, "downloads"))
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	caller := start(t, args([]string{"call", "--signal-out", offer, "--signal-in", answer, "--send", src, "--send", tree}, noMedia)...)
	callee := start(t, args([]string{"answer", "--signal-in", offer, "--signal-out", answer, "--accept-files", "--download-dir", downloads}, noMedia)...)
	caller.stdin.Close()
	if code := caller.exit(t, 30*time.Second); code != 0 {
		t.Fatalf("caller exit code %d; stderr:\n%s", code, caller.stderr)
	}
	callee.exit(t, 10*time.Second)
	for _, f := range []string{"letter.txt", "album", "album/2026", "album/2026/photo.jpg"} {
		info, err := os.Stat(filepath.Join(downloads, f))
		if err != nil {
			t.Fatalf("%s did not arrive: %v; callee stderr:\n%s", f, err, callee.stderr)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s was saved with permissions %o: others may read it", f, perm)
		}
	}
}
