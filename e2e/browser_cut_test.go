//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/testenv"
	"github.com/pigeon-call/pigeon/offline"
)

// browserCut is how long the browser tests cut the path: longer than the
// second of silence after which pigeon restarts ICE, and than the few
// seconds after which Chromium calls the connection disconnected.
const browserCut = 8 * time.Second

// browserLongCut is longer than the 15 seconds or so after which Chromium
// calls a silent connection failed, and shorter than pigeon's 30 seconds
// (--timeout) of waiting for it to come back, which the page waits too.
const browserLongCut = 20 * time.Second

// TestBrowserAnswersPigeonThroughCut: pigeon calls the page, the path is
// cut for a while, and the call comes back with what was typed meanwhile.
func TestBrowserAnswersPigeonThroughCut(t *testing.T) { browserCallThroughCut(t, true, browserCut) }

// TestBrowserCallsPigeonThroughCut: the page calls pigeon, and the call
// survives the same cut.
func TestBrowserCallsPigeonThroughCut(t *testing.T) { browserCallThroughCut(t, false, browserCut) }

// TestBrowserCallsPigeonThroughLongCut: a cut long enough for Chromium to
// call the connection failed. It still takes the path back when pigeon's
// checks come through again, so the page must not end the call then.
func TestBrowserCallsPigeonThroughLongCut(t *testing.T) {
	browserCallThroughCut(t, false, browserLongCut)
}

// browserCallThroughCut connects pigeon and the page on loopback, drops
// every packet to and from both sides' UDP ports for cutFor (or, if the page
// takes long to notice, until 2 seconds after it did), and checks that
// both sides say the call is back, that the chat typed on each side during
// the cut arrives once, in order, after the messages sent before it, and
// that the media flows again.
func browserCallThroughCut(t *testing.T, pigeonOffers bool, cutFor time.Duration) {
	cut := newPortCut(t)
	p := openPage(t)
	// Only loopback candidates on pigeon's side, so that the cut of its
	// port is the cut of every path.
	pg, toPage, fromPage := startForPage(t, pigeonOffers, "--video", "test", "--audio", "test",
		"--interface", "lo", "--format", "full")
	p.set("format", "full")
	pigeonCode, pageCode := exchangeCodes(t, p, pigeonOffers, toPage, fromPage)
	// Both sides' ports: pigeon restarts ICE a second into a silence, on
	// new ports, and checks the page's candidates from them; cutting only
	// its first ports would let the call move around the cut.
	ports := append(candidatePorts(t, pigeonCode), candidatePorts(t, pageCode)...)

	waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
	p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	fmt.Fprintln(pg.stdin, "before the cut, from pigeon")
	p.chat("before the cut, from the browser")
	waitOutput(t, "pigeon's chat", pg.stdout, "before the cut, from the browser\n")
	p.waitFor("pigeon's message", `window.pigeon.state.received.includes("before the cut, from pigeon")`)
	before := p.waitMedia()

	cutAt := time.Now()
	cut.drop(ports...)
	waitOutput(t, "pigeon", pg.stderr, "pigeon: peer not responding: reconnecting")
	t.Logf("pigeon noticed the cut after %v", time.Since(cutAt).Round(100*time.Millisecond))
	fmt.Fprintln(pg.stdin, "during the cut, from pigeon")
	p.chat("during the cut, from the browser")
	p.waitFor("the page saying it is reconnecting", `window.pigeon.state.losses > 0 && /reconnecting/.test(document.getElementById("status").textContent)`)
	t.Logf("the page noticed the cut after %v", time.Since(cutAt).Round(100*time.Millisecond))
	// Chromium calls the connection disconnected only once its checks
	// have gone unanswered for some seconds: the path stays cut a while
	// after that too.
	time.Sleep(max(time.Until(cutAt.Add(cutFor)), 2*time.Second))
	if eval[bool](p, `window.pigeon.state.ended`) {
		t.Fatalf("the page ended the call %v into the cut (status %q)", time.Since(cutAt).Round(100*time.Millisecond),
			eval[string](p, `document.getElementById("status").textContent`))
	}
	// Nothing got through the cut.
	if strings.Contains(pg.stdout.String(), "during the cut") || eval[bool](p, `window.pigeon.state.received.length > 1`) {
		t.Fatalf("a message typed during the cut arrived before its end: pigeon showed\n%s\nthe page %q",
			pg.stdout, eval[[]string](p, `window.pigeon.state.received`))
	}
	cut.restore()
	restoredAt := time.Now()
	t.Logf("the path was cut for %v", restoredAt.Sub(cutAt).Round(100*time.Millisecond))

	waitOutput(t, "pigeon", pg.stderr, "pigeon: reconnected")
	p.waitFor("the page saying it is connected again", `window.pigeon.state.reconnects > 0 && /Connected again/.test(document.getElementById("status").textContent)`)
	t.Logf("the call came back %v after the path did", time.Since(restoredAt).Round(100*time.Millisecond))
	waitOutput(t, "pigeon's chat", pg.stdout, "during the cut, from the browser\n")
	p.waitFor("pigeon's message typed during the cut", `window.pigeon.state.received.includes("during the cut, from pigeon")`)
	fmt.Fprintln(pg.stdin, "after the cut, from pigeon")
	p.chat("after the cut, from the browser")
	waitOutput(t, "pigeon's chat", pg.stdout, "after the cut, from the browser\n")
	p.waitFor("pigeon's message after the cut", `window.pigeon.state.received.includes("after the cut, from pigeon")`)

	// Each message once, in the order it was typed.
	want := []string{"before the cut, from pigeon", "during the cut, from pigeon", "after the cut, from pigeon"}
	if got := eval[[]string](p, `window.pigeon.state.received`); !slices.Equal(got, want) {
		t.Errorf("the page received %q, want %q", got, want)
	}
	out := pg.stdout.String()
	last := -1
	for _, m := range []string{"before the cut, from the browser", "during the cut, from the browser", "after the cut, from the browser"} {
		if n := strings.Count(out, m+"\n"); n != 1 {
			t.Errorf("pigeon showed %q %d times, want once:\n%s", m, n, out)
		}
		if i := strings.Index(out, m); i < last {
			t.Errorf("pigeon showed %q out of order:\n%s", m, out)
		} else {
			last = i
		}
	}
	if strings.Contains(pg.stderr.String(), "never reached") || strings.Contains(pg.stderr.String(), "call ended") {
		t.Errorf("pigeon lost the call or a message:\n%s", pg.stderr)
	}

	// The media flows again: the page decodes new pictures.
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := eval[pageStats](p, `window.pigeon.stats()`)
		if st.VideoFrames >= before.VideoFrames+20 && st.AudioPackets >= before.AudioPackets+50 {
			t.Logf("page: %d video frames and %d audio packets before the cut, %d and %d now",
				before.VideoFrames, before.AudioPackets, st.VideoFrames, st.AudioPackets)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no media after the cut: %+v before it, %+v now", before, st)
		}
		time.Sleep(200 * time.Millisecond)
	}

	pg.stdin.Close()
	if code := pg.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
	}
	p.waitFor("the hang-up", `window.pigeon.state.ended`)
	if eval[bool](p, `/never reached/.test(document.getElementById("log").textContent)`) {
		t.Errorf("the page says messages never reached pigeon")
	}
}

// candidateLine finds the port of a UDP candidate in an SDP.
var candidateLine = regexp.MustCompile(`(?m)^a=candidate:\S+ \d+ (?i:udp) \d+ \S+ (\d+) typ`)

// candidatePorts returns the UDP ports of the candidates in a code.
func candidatePorts(t *testing.T, code string) []int {
	t.Helper()
	s, err := offline.Decode(code)
	if err != nil {
		t.Fatalf("reading pigeon's code: %v", err)
	}
	var ports []int
	for _, m := range candidateLine.FindAllStringSubmatch(s.SDP, -1) {
		port, _ := strconv.Atoi(m[1])
		if !slices.Contains(ports, port) {
			ports = append(ports, port)
		}
	}
	if len(ports) == 0 {
		t.Fatalf("pigeon's code has no UDP candidate:\n%s", s.SDP)
	}
	return ports
}

// portCut drops UDP packets to and from some ports on the loopback
// interface with iptables (and ip6tables), and takes its rules away when the
// test ends.
type portCut struct {
	t     *testing.T
	mu    sync.Mutex
	rules [][]string // each: the tool, then the rule's arguments after -I/-D
}

// newPortCut skips the test unless iptables can be used here.
func newPortCut(t *testing.T) *portCut {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("cutting the path with iptables needs root")
	}
	testenv.RequireTools(t, "iptables")
	if out, err := exec.Command("iptables", "-w", "5", "-S", "OUTPUT").CombinedOutput(); err != nil {
		t.Skipf("iptables cannot be used here: %v: %s", err, strings.TrimSpace(string(out)))
	}
	c := &portCut{t: t}
	t.Cleanup(c.restore)
	return c
}

// drop drops every UDP packet to or from these ports on loopback.
func (c *portCut) drop(ports ...int) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	tools := []string{"iptables"}
	if _, err := exec.LookPath("ip6tables"); err == nil {
		tools = append(tools, "ip6tables")
	}
	for _, tool := range tools {
		for _, port := range ports {
			for _, dir := range []string{"--dport", "--sport"} {
				rule := []string{"OUTPUT", "-o", "lo", "-p", "udp", dir, strconv.Itoa(port), "-j", "DROP"}
				args := append([]string{"-w", "5", "-I"}, rule...)
				if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
					if tool == "ip6tables" {
						continue // no IPv6 here: nothing to cut
					}
					c.t.Fatalf("%s %s: %v: %s", tool, strings.Join(args, " "), err, out)
				}
				c.rules = append(c.rules, append([]string{tool}, rule...))
			}
		}
	}
}

// restore takes the rules away.
func (c *portCut) restore() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.rules {
		args := append([]string{"-w", "5", "-D"}, r[1:]...)
		if out, err := exec.Command(r[0], args...).CombinedOutput(); err != nil {
			c.t.Errorf("removing the cut: %s %s: %v: %s", r[0], strings.Join(args, " "), err, out)
		}
	}
	c.rules = nil
}
