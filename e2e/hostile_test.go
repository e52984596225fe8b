package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/internal/hostile"
	"github.com/pigeon-call/pigeon/internal/testenv"
	"github.com/pigeon-call/pigeon/offline"
)

// The tests named TestHostile attack a pigeon process as a peer that means
// harm would, or as a local user or the network could, and each adds a row
// to the table that -hostile-table writes (make hostile: docs/HOSTILE.md).

var hostileTable = flag.String("hostile-table", "", "write the table of the attacks the TestHostile tests made to this file")

var attacks struct {
	mu   sync.Mutex
	rows []hostile.Row
}

// report adds row to the table, in the order of the tests.
func report(row hostile.Row) {
	attacks.mu.Lock()
	defer attacks.mu.Unlock()
	attacks.rows = append(attacks.rows, row)
}

// writeHostileTable writes the table, if asked to, once the tests passed.
func writeHostileTable() error {
	if *hostileTable == "" {
		return nil
	}
	fuzzers, err := findFuzzers("..")
	if err != nil {
		return err
	}
	f, err := os.Create(*hostileTable)
	if err != nil {
		return err
	}
	attacks.mu.Lock()
	defer attacks.mu.Unlock()
	if err := hostile.WriteTable(f, attacks.rows, fuzzers, machine()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// machine describes this machine in a line.
func machine() string {
	model := "unknown CPU"
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(cpuinfo)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimLeft(v, " \t:"))
				break
			}
		}
	}
	return fmt.Sprintf("%s/%s, %d cores (%s), %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model, runtime.Version(),
		time.Now().UTC().Format(time.DateOnly))
}

// hostilePeer is a peer of the test's own in a call with a pigeon process:
// pigeon's own session over pion, which the test drives to break pigeon's
// rules on purpose (raw channels, hostile chat, hostile media).
type hostilePeer struct {
	*call.Session
	pigeon *proc
}

// callPigeon starts 'pigeon answer' with args (after --signal-in,
// --signal-out, loopback only and no media, view or speaker of its own),
// calls it with a session made with opts, and returns once the call is up.
func callPigeon(t *testing.T, opts call.Options, args ...string) *hostilePeer {
	t.Helper()
	dir := t.TempDir()
	opts.Role = call.Caller
	opts.Interfaces = []string{"lo"}
	opts.Timeout, opts.PasteWait = 15*time.Second, 15*time.Second
	s, err := call.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	offer, err := s.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The full form carries the ICE credentials: whatever pigeon derives
	// them from, it takes them from the code.
	code, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: offer.SDP}, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	offerPath, answerPath := filepath.Join(dir, "offer"), filepath.Join(dir, "answer")
	if err := os.WriteFile(offerPath, []byte(code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, append([]string{"answer", "--signal-in", offerPath, "--signal-out", answerPath,
		"--interface", "lo", "--video", "none", "--audio", "none", "--view", "none", "--speaker", "none"}, args...)...)
	waitOutput(t, "pigeon", p.stderr, "answer written to")
	text, err := os.ReadFile(answerPath)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := offline.Decode(string(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Accept(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Ready():
	case <-time.After(20 * time.Second):
		t.Fatalf("the call with pigeon never came up; its stderr:\n%s", p.stderr)
	}
	return &hostilePeer{Session: s, pigeon: p}
}

// measured is an attack on a pigeon process under way: what /proc said of
// it as the attack began, and its resident memory, sampled meanwhile.
// (VmHWM alone lags: the kernel updates it lazily.)
type measured struct {
	p      *proc
	before hostile.Process
	stop   chan struct{}
	once   sync.Once

	mu   sync.Mutex
	peak int64
}

// begin starts measuring an attack on p, until the test ends.
func begin(t *testing.T, p *proc) *measured {
	t.Helper()
	m := &measured{p: p, before: procStats(t, p), stop: make(chan struct{})}
	m.peak = m.before.RSS
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-tick.C:
				if now, err := hostile.Measure(p.cmd.Process.Pid); err == nil {
					m.mu.Lock()
					m.peak = max(m.peak, now.RSS, now.PeakRSS)
					m.mu.Unlock()
				}
			}
		}
	}()
	t.Cleanup(func() { m.once.Do(func() { close(m.stop) }); <-done })
	return m
}

// now returns the bytes written since the attack began, and the peak
// resident memory so far.
func (m *measured) now(t *testing.T) (written, peak int64) {
	t.Helper()
	after := procStats(t, m.p)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peak = max(m.peak, after.RSS, after.PeakRSS)
	return after.Written - m.before.Written, m.peak
}

// row makes the table's row for the attack, measured until now.
func (m *measured) row(t *testing.T, attack string, sent int64, outcome string) hostile.Row {
	t.Helper()
	written, peak := m.now(t)
	return hostile.Row{Attack: attack, Sent: sent, Refused: !t.Failed(), Outcome: outcome,
		Written: written, RSS: m.before.RSS, PeakRSS: peak}
}

func procStats(t *testing.T, p *proc) hostile.Process {
	t.Helper()
	m, err := hostile.Measure(p.cmd.Process.Pid)
	if err != nil {
		t.Fatalf("measuring pigeon: %v", err)
	}
	return m
}

// lineCount counts the lines in s.
func lineCount(s string) int { return strings.Count(s, "\n") }

// containsAny reports which of bad s holds.
func containsAny(s string, bad ...string) []string {
	var found []string
	for _, b := range bad {
		if strings.Contains(s, b) {
			found = append(found, fmt.Sprintf("%q", b))
		}
	}
	return slices.Compact(found)
}

// findFuzzers lists the fuzz tests under root, with the first sentence of
// each one's comment.
func findFuzzers(root string) ([]hostile.Fuzzer, error) {
	var fuzzers []hostile.Fuzzer
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Fuzz") {
				continue
			}
			doc := strings.Join(strings.Fields(fn.Doc.Text()), " ")
			if i := strings.Index(doc, ". "); i >= 0 {
				doc = doc[:i+1]
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			fuzzers = append(fuzzers, hostile.Fuzzer{Package: filepath.ToSlash(rel), Name: fn.Name.Name, Doc: doc})
		}
		return nil
	})
	slices.SortFunc(fuzzers, func(a, b hostile.Fuzzer) int {
		return strings.Compare(a.Package+" "+a.Name, b.Package+" "+b.Name)
	})
	return fuzzers, err
}

// rawTransfer is a transfer channel to pigeon on which the test speaks the
// transfer protocol by hand: JSON control messages and binary data.
type rawTransfer struct {
	dc   *webrtc.DataChannel
	msgs chan string
}

func openTransfer(t *testing.T, h *hostilePeer) *rawTransfer {
	t.Helper()
	dc, err := h.OpenChannel("pigeon-file")
	if err != nil {
		t.Fatal(err)
	}
	r := &rawTransfer{dc: dc, msgs: make(chan string, 16)}
	opened := make(chan struct{})
	dc.OnOpen(func() { close(opened) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) { r.msgs <- string(m.Data) })
	select {
	case <-opened:
	case <-time.After(10 * time.Second):
		t.Fatal("the transfer channel never opened")
	}
	return r
}

func (r *rawTransfer) send(t *testing.T, text string) {
	t.Helper()
	if err := r.dc.SendText(text); err != nil {
		t.Fatal(err)
	}
}

// expect waits for pigeon's next control message and checks it is want.
func (r *rawTransfer) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-r.msgs:
		if got != want {
			t.Errorf("pigeon answered %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("pigeon never answered %s", want)
	}
}

// dirSize is the bytes of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// TestHostileFiles sends pigeon, which takes files without asking
// (--accept-files), what a hostile sender can over a real transfer
// channel: a directory whose tar holds a sparse file (3.5 KiB that a tar
// reader fills out to 64 MiB), one whose header claims a gigabyte the
// stream does not hold, and offers larger than --max-file-size or than any
// disk. Each is refused with a line that says why, the sender is told,
// and nothing is left in the download directory.
func TestHostileFiles(t *testing.T) {
	downloads := mkdir(t, filepath.Join(t.TempDir(), "downloads"))
	h := callPigeon(t, call.Options{}, "--accept-files", "--download-dir", downloads)
	waitOutput(t, "pigeon", h.pigeon.stderr, "pigeon: chat open")

	for _, tt := range []struct {
		attack string
		stream []byte
		reply  string
		says   string
	}{
		{"a directory whose tar holds a GNU sparse file of 64 MiB", hostile.SparseTar("big", 64<<20),
			`{"type":"cancel","reason":"protocol"}`, `pigeon: receiving a file: saving d: the received directory holds an unsafe entry: nothing was saved: "big" is a sparse file`},
		{"a directory whose tar header claims 1 GiB the stream does not hold", hostile.OversizedTar("claims", 1<<30),
			`{"type":"cancel","reason":"protocol"}`, `pigeon: receiving a file: saving d: the peer broke the transfer protocol: "claims" says it holds more than the stream offered`},
	} {
		t.Run(tt.attack, func(t *testing.T) {
			attack := begin(t, h.pigeon)
			r := openTransfer(t, h)
			r.send(t, fmt.Sprintf(`{"type":"offer","version":1,"name":"d","size":%d,"kind":"dir"}`, len(tt.stream)))
			r.expect(t, `{"type":"accept"}`)
			if err := r.dc.Send(tt.stream); err != nil {
				t.Fatal(err)
			}
			r.send(t, fmt.Sprintf(`{"type":"end","sha256":"%x"}`, sha256.Sum256(tt.stream)))
			r.expect(t, tt.reply)
			waitOutput(t, "pigeon", h.pigeon.stderr, tt.says)
			if n := dirSize(t, downloads); n != 0 {
				t.Errorf("%d bytes are left in the download directory", n)
			}
			entries, _ := os.ReadDir(downloads)
			if len(entries) != 0 {
				t.Errorf("the download directory holds %d entries", len(entries))
			}
			report(attack.row(t, tt.attack, int64(len(tt.stream)), "refused: "+strings.TrimPrefix(tt.says, "pigeon: ")))
		})
	}

	t.Run("an offer over --max-file-size", func(t *testing.T) {
		attack := begin(t, h.pigeon)
		r := openTransfer(t, h)
		r.send(t, fmt.Sprintf(`{"type":"offer","version":1,"name":"film.mkv","size":%d,"kind":"file"}`, int64(5)<<30))
		r.expect(t, fmt.Sprintf(`{"type":"decline","size":%d,"reason":"size"}`, int64(4)<<30))
		says := "pigeon: refused a file: the transfer is too large: film.mkv is 5.0 GiB, more than the 4.0 GiB this side takes at a time; --max-file-size takes a larger one"
		waitOutput(t, "pigeon", h.pigeon.stderr, says)
		report(attack.row(t, "an offer of 5 GiB, over the default --max-file-size of 4 GiB", 0,
			"declined before anything is sent, the limit told to the sender: "+strings.TrimPrefix(says, "pigeon: ")))
	})

	t.Run("an offer over the free space", func(t *testing.T) {
		unlimited := callPigeon(t, call.Options{}, "--accept-files", "--download-dir", downloads, "--max-file-size", "0")
		waitOutput(t, "pigeon", unlimited.pigeon.stderr, "pigeon: chat open")
		attack := begin(t, unlimited.pigeon)
		r := openTransfer(t, unlimited)
		r.send(t, fmt.Sprintf(`{"type":"offer","version":1,"name":"huge","size":%d,"kind":"file"}`, int64(1)<<50))
		select {
		case got := <-r.msgs:
			if !strings.HasPrefix(got, `{"type":"decline","size":`) || !strings.HasSuffix(got, `,"reason":"space"}`) {
				t.Errorf("pigeon answered %s, want a decline for the free space", got)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("pigeon never answered the offer")
		}
		waitOutput(t, "pigeon", unlimited.pigeon.stderr, "pigeon: refused a file: the transfer is too large: huge is 1.0 PiB, and "+downloads+" has only ")
		report(attack.row(t, "an offer of 1 PiB with --max-file-size 0", 0,
			"declined before anything is sent: larger than the download directory's free space, which the sender is told"))
	})
}

// hostileChat is chat that would steer a terminal, or disguise what a line
// says, if it reached one raw; and the same as pigeon must write it: each
// message on one line, what steers written out.
var hostileChat = []struct{ text, shown string }{
	{"\x1b]0;retitled by the peer\x07", `\x1b]0;retitled by the peer\x07`},
	{"\x1b[2J\x1b[31mred and cleared\x1b[0m", `\x1b[2J\x1b[31mred and cleared\x1b[0m`},
	{"\x1b]52;c;cm0gLXJmIH4K\x07", `\x1b]52;c;cm0gLXJmIH4K\x07`}, // OSC 52: "rm -rf ~" to the clipboard
	{"\x1bP+q544e\x1b\\ DCS", `\x1bP+q544e\x1b\ DCS`},
	{"c1 \u009b2J \u009d0;title\u009c", `c1 \x9b2J \x9d0;title\x9c`},
	{"invoice\u202efdp.exe \u2066isolate\u2069", `invoice\u202efdp.exe \u2066isolate\u2069`},
	{"two\nlines\r\nforged", "two lines forged"},
	{"over\rwritten", "over written"},
	{"bell\a back\bspace tab\tkept", `bell\x07 back\x08space tab` + "\t" + `kept`},
}

// rawTerminal are the bytes and runes that must not reach a terminal.
var rawTerminal = []string{"\x1b", "\a", "\b", "\r", "\u009b", "\u009c", "\u009d", "\u202e", "\u2066", "\u2069"}

// rawPeer is a pion peer with none of pigeon's code: it declares pigeon's
// chat channel (negotiated, id 0) and writes pigeon's chat messages by
// hand, so that it sends what pigeon's own session never would, such as a
// name with escapes in it.
type rawPeer struct {
	pc   *webrtc.PeerConnection
	chat *webrtc.DataChannel
	open chan struct{}
	id   int
}

func newRawPeer(t *testing.T) *rawPeer {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	negotiated, id := true, uint16(0)
	chat, err := pc.CreateDataChannel("chat", &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id})
	if err != nil {
		t.Fatal(err)
	}
	r := &rawPeer{pc: pc, chat: chat, open: make(chan struct{})}
	chat.OnOpen(func() { close(r.open) })
	return r
}

// offer returns the peer's offer as a code, in the full form.
func (r *rawPeer) offer(t *testing.T) string {
	t.Helper()
	offer, err := r.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(r.pc)
	if err := r.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	code, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: r.pc.LocalDescription().SDP}, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// accept takes pigeon's answer and waits for the chat channel to open.
func (r *rawPeer) accept(t *testing.T, code string) {
	t.Helper()
	answer, err := offline.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.open:
	case <-time.After(20 * time.Second):
		t.Fatal("the chat channel never opened")
	}
}

// send writes one of pigeon's chat messages, as JSON.
func (r *rawPeer) send(t *testing.T, msg map[string]any) {
	t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.chat.SendText(string(data)); err != nil {
		t.Fatal(err)
	}
}

// greet gives the peer's name, as pigeon's first message does.
func (r *rawPeer) greet(t *testing.T, name string) {
	r.send(t, map[string]any{"type": "hello", "name": name})
}

// say sends one chat message.
func (r *rawPeer) say(t *testing.T, text string) {
	r.id++
	r.send(t, map[string]any{"type": "chat", "id": r.id, "text": text})
}

// waitFile waits until the file at path holds a whole line, and returns it.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if text, _ := os.ReadFile(path); strings.HasSuffix(string(text), "\n") {
			return string(text)
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing was written to %s", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hostileName is the name the raw peer gives: an OSC title, then a
// right-to-left override.
const (
	hostileName = "mal\x1b]0;pwned\x07\u202elive"
	shownName   = `mal\x1b]0;pwned\x07\u202elive`
)

// TestHostileChatToAPipe has a raw peer, named with an escape and a bidi
// override, send chat that steers terminals to a pigeon whose stdout is a
// pipe, as a script's is: stdout holds each message on a line of its own
// with every escape, control and override written out, and stderr says the
// peer's name the same way.
func TestHostileChatToAPipe(t *testing.T) {
	dir := t.TempDir()
	r := newRawPeer(t)
	offerPath, answerPath := filepath.Join(dir, "offer"), filepath.Join(dir, "answer")
	os.WriteFile(offerPath, []byte(r.offer(t)+"\n"), 0o600)
	p := start(t, "answer", "--signal-in", offerPath, "--signal-out", answerPath,
		"--interface", "lo", "--video", "none", "--audio", "none", "--view", "none", "--speaker", "none")
	r.accept(t, waitFile(t, answerPath))
	waitOutput(t, "pigeon", p.stderr, "pigeon: chat open")
	attack := begin(t, p)
	r.greet(t, hostileName)
	sent := int64(len(hostileName))
	for _, m := range hostileChat {
		r.say(t, m.text)
		sent += int64(len(m.text))
	}
	waitOutput(t, "pigeon's stdout", p.stdout, hostileChat[len(hostileChat)-1].shown+"\n")
	out := p.stdout.String()
	if bad := containsAny(out, rawTerminal...); len(bad) > 0 {
		t.Errorf("stdout holds %s raw:\n%q", strings.Join(bad, ", "), out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(hostileChat) {
		t.Errorf("%d messages made %d lines on stdout, want one each:\n%s", len(hostileChat), len(lines), out)
	}
	for i := 0; i < min(len(lines), len(hostileChat)); i++ {
		if lines[i] != hostileChat[i].shown {
			t.Errorf("message %d reads %q on stdout, want %q", i, lines[i], hostileChat[i].shown)
		}
	}
	waitOutput(t, "pigeon", p.stderr, "pigeon: the peer's name is "+shownName+"\n")
	if bad := containsAny(p.stderr.String(), rawTerminal...); len(bad) > 0 {
		t.Errorf("stderr holds %s raw", strings.Join(bad, ", "))
	}
	report(attack.row(t, "chat with OSC titles, colours, an OSC 52 clipboard write, DCS, C1 controls, bidi overrides and line breaks, "+
		"from a raw pion peer whose name holds an escape and a bidi override, to a piped stdout", sent,
		"each message on one line of stdout, every escape, control and override written out (\\x1b, \\x9b, \\u202e); the name so on stderr"))
}

// TestHostileChatToATerminal shows the same chat on a real terminal
// (tmux, which obeys OSC titles and, set so, OSC 52 clipboard writes):
// the pane's title is untouched, no clipboard buffer is made, and the
// escapes are on the screen as text.
func TestHostileChatToATerminal(t *testing.T) {
	dir := t.TempDir()
	r := newRawPeer(t)
	offerPath, answerPath, stderrPath := filepath.Join(dir, "offer"), filepath.Join(dir, "answer"), filepath.Join(dir, "stderr")
	os.WriteFile(offerPath, []byte(r.offer(t)+"\n"), 0o600)
	pane := startTmux(t, 160, 40, fmt.Sprintf("%s answer --signal-in %s --signal-out %s --interface lo --video none --audio none --view none --speaker none 2>%s; sleep 60",
		pigeonBin, offerPath, answerPath, stderrPath))
	pane.run("set-option", "-g", "set-clipboard", "on")
	title := strings.TrimSpace(pane.run("display-message", "-p", "#{pane_title}"))
	r.accept(t, waitFile(t, answerPath))
	r.greet(t, hostileName)
	for _, m := range hostileChat {
		r.say(t, m.text)
	}
	pane.waitFor("the last message", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), `: bell\x07 back\x08space tab`)
	})
	screen := pane.screen()
	for _, want := range []string{shownName + `: \x1b]0;retitled by the peer\x07`, shownName + `: \x1b]52;c;cm0gLXJmIH4K\x07`,
		shownName + `: c1 \x9b2J \x9d0;title\x9c`, shownName + `: invoice\u202efdp.exe`} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen does not show %q:\n%s", want, screen)
		}
	}
	if now := strings.TrimSpace(pane.run("display-message", "-p", "#{pane_title}")); now != title {
		t.Errorf("the pane's title changed from %q to %q", title, now)
	}
	if buffers := strings.TrimSpace(pane.run("list-buffers")); buffers != "" {
		t.Errorf("the peer wrote the clipboard: %s", buffers)
	}
	report(hostile.Row{Attack: "the same chat and name, to pigeon's chat on a terminal (tmux, set to obey OSC 52)", Refused: !t.Failed(), Written: -1,
		Outcome: "shown written out as text: the pane's title unchanged, no clipboard buffer made, the screen not cleared"})
}

// waitAcked waits until the pigeon peer has acknowledged every chat
// message h sent: they all reached it.
func waitAcked(t *testing.T, h *hostilePeer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for len(h.Undelivered()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d chat messages still unacknowledged", len(h.Undelivered()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHostileFloodWhileHeld floods a pigeon that holds the call for
// --verify with chat: 100 MiB in messages of 1 MiB, and 1500 small ones.
// Its memory stays bounded, nothing is shown and the peer's name is not
// said until the user confirms; then the name, the messages the hold kept
// (at most 4 MiB and 1000), and a line that says how many were dropped.
func TestHostileFloodWhileHeld(t *testing.T) {
	for _, tt := range []struct {
		attack string
		n      int
		size   int
		shown  int // messages shown once released
	}{
		{"100 MiB of chat, in messages of 1 MiB, while --verify holds the call", 100, 1 << 20, 4},
		{"1500 chat messages while --verify holds the call", 1500, 20, 1000},
	} {
		t.Run(tt.attack, func(t *testing.T) {
			h := callPigeon(t, call.Options{Name: "mallory"}, "--verify")
			waitOutput(t, "pigeon", h.pigeon.stderr, "pigeon: safety number ")
			attack := begin(t, h.pigeon)
			var sent int64
			for i := range tt.n {
				text := fmt.Sprintf("flood %04d ", i)
				text += strings.Repeat("x", tt.size-len(text))
				if err := h.Send(text); err != nil {
					t.Fatal(err)
				}
				sent += int64(len(text))
				if tt.size >= 1<<20 {
					waitAcked(t, h) // a MiB at a time on the path
				}
			}
			waitAcked(t, h)
			_, held := attack.now(t)
			if out := h.pigeon.stdout.String(); out != "" || strings.Contains(h.pigeon.stderr.String(), "mallory") {
				t.Errorf("the held pigeon showed %d bytes of chat, or the name:\n%s", len(out), h.pigeon.stderr)
			}
			// Without the bound the queue alone holds what was sent.
			if grew := held - attack.before.RSS; grew > 48<<20 {
				t.Errorf("pigeon's memory grew by %d MiB while %d MiB of chat waited", grew>>20, sent>>20)
			}

			fmt.Fprintln(h.pigeon.stdin, "yes")
			waitOutput(t, "pigeon", h.pigeon.stderr, "pigeon: the peer's name is mallory")
			dropped := fmt.Sprintf("pigeon: %d chat messages from the peer", tt.n-tt.shown)
			waitOutput(t, "pigeon", h.pigeon.stderr, dropped)
			waitOutputWithin(t, 30*time.Second, "pigeon's stdout", h.pigeon.stdout, fmt.Sprintf("flood %04d ", tt.shown-1))
			stderr := h.pigeon.stderr.String()
			if i, j := strings.Index(stderr, "safety number confirmed"), strings.Index(stderr, "the peer's name is mallory"); i < 0 || j < i {
				t.Errorf("the name was said before the number was confirmed:\n%s", stderr)
			}
			// The chat is ordered: a message sent now comes after all the
			// hold released.
			if err := h.Send("after the release"); err != nil {
				t.Fatal(err)
			}
			waitOutputWithin(t, 30*time.Second, "pigeon's stdout", h.pigeon.stdout, "after the release\n")
			if lines := lineCount(h.pigeon.stdout.String()); lines != tt.shown+1 {
				t.Errorf("pigeon showed %d messages once released, want the %d kept", lines-1, tt.shown)
			}
			line := stderr[strings.Index(stderr, dropped):]
			line = strings.TrimPrefix(line[:strings.Index(line, "\n")], "pigeon: ")
			report(attack.row(t, tt.attack, sent, "nothing shown, the name not said, until confirmed; then the first "+
				fmt.Sprint(tt.shown)+" messages, and: "+line))
		})
	}
}

// pliWatch is a VP8 track the test writes raw RTP packets to, which counts
// the keyframe requests (PLI) the receiver sends back for it.
type pliWatch struct {
	*webrtc.TrackLocalStaticRTP
	plis chan struct{}
	stop chan struct{}
	once sync.Once
}

func newPLIWatch(t *testing.T) *pliWatch {
	t.Helper()
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "mallory")
	if err != nil {
		t.Fatal(err)
	}
	w := &pliWatch{TrackLocalStaticRTP: track, plis: make(chan struct{}, 1024), stop: make(chan struct{})}
	t.Cleanup(func() { w.once.Do(func() { close(w.stop) }) })
	return w
}

// Bind binds the track, and reads what the receiver sends back about it.
func (w *pliWatch) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	params, err := w.TrackLocalStaticRTP.Bind(ctx)
	if err != nil {
		return params, err
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := ctx.RTCPReader().Read(buf, nil)
			if err != nil {
				return
			}
			packets, err := rtcp.Unmarshal(buf[:n])
			if err != nil {
				continue
			}
			for _, p := range packets {
				if _, ok := p.(*rtcp.PictureLossIndication); ok {
					select {
					case w.plis <- struct{}{}:
					case <-w.stop:
						return
					}
				}
			}
		}
	}()
	return params, nil
}

// TestHostileEndlessFrame has a peer send pigeon one VP8 frame that never
// ends: 40,000 packets of a kilobyte, in order, of one picture, none with
// the marker bit. pigeon's memory stays flat, it asks for keyframes
// (PLI), and at the end says it dropped frames as too large.
func TestHostileEndlessFrame(t *testing.T) {
	video := newPLIWatch(t)
	h := callPigeon(t, call.Options{Tracks: []webrtc.TrackLocal{video}})
	waitOutput(t, "pigeon", h.pigeon.stderr, "pigeon: chat open")
	attack := begin(t, h.pigeon)
	const packets = 40000
	payload := append([]byte{0x10}, make([]byte, 1000)...) // a partition's start, each one
	var sent int64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < packets; {
		<-tick.C
		for range 25 { // 5000 packets a second
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: 90000}, Payload: payload}
			if err := video.WriteRTP(pkt); err != nil {
				t.Fatal(err)
			}
			sent += int64(len(payload))
			i++
		}
	}
	waitOutput(t, "pigeon", h.pigeon.stderr, "pigeon: receiving video (video/VP8)")
	select {
	case <-video.plis:
	case <-time.After(10 * time.Second):
		t.Error("pigeon never asked for a keyframe")
	}
	written, peak := attack.now(t)
	// Without the bound every packet is kept, in a receive buffer of 1500
	// bytes each: 57 MiB.
	if grew := peak - attack.before.RSS; grew > 24<<20 {
		t.Errorf("pigeon's memory grew by %d MiB over a frame of %d MiB", grew>>20, sent>>20)
	}
	plis := len(video.plis) + 1
	h.HangUp()
	if code := h.pigeon.exit(t, 10*time.Second); code != 0 {
		t.Errorf("pigeon's exit code %d after the hang-up, want 0", code)
	}
	waitOutput(t, "pigeon", h.pigeon.stderr, " dropped as too large")
	summary := h.pigeon.stderr.String()
	summary = summary[strings.LastIndex(summary, "pigeon: received video"):]
	summary = strings.TrimPrefix(summary[:strings.Index(summary, "\n")], "pigeon: ")
	report(hostile.Row{Attack: "one VP8 frame that never ends: 40,000 packets of 1 KiB in order, none with the marker bit", Sent: sent,
		Refused: !t.Failed(), Written: written, RSS: attack.before.RSS, PeakRSS: peak,
		Outcome: fmt.Sprintf("the frame dropped each time it passed 1 MiB or 1024 packets, %d keyframes asked for (PLI) meanwhile; at the end: %s", plis, summary)})
}

// hostileSDP is an offer in raw SDP whose fingerprint and candidate hold
// C1 controls (an OSC title, a CSI that clears the screen), a
// right-to-left override and a right-to-left mark. (C0 controls, ESC among them, are refused
// in any SDP.)
const hostileSDP = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n" +
	"a=fingerprint:sha-256 AB:CD\u009d0;pwned\u009c\r\n" +
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=setup:actpass\r\na=mid:0\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=candidate:1 1 udp 2130706431 \u009b2Jevil\u202elacol.local 5000 typ host\u200f\r\n" +
	"a=sctp-port:5000\r\n\r\n"

// TestHostileCode gives pigeon a code that carries C1 controls and bidi
// characters: 'pigeon inspect' shows it with all of them written out, and
// 'pigeon answer' says where it points the same way.
func TestHostileCode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "offer.sdp")
	os.WriteFile(path, []byte(hostileSDP), 0o600)
	raw := append(slices.Clone(rawTerminal), "\u200f")

	inspect := start(t, "inspect")
	inspect.stdin.Write([]byte(hostileSDP))
	inspect.stdin.Close()
	if code := inspect.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("pigeon inspect: exit code %d; stderr:\n%s", code, inspect.stderr)
	}
	out := inspect.stdout.String()
	if bad := containsAny(out, raw...); len(bad) > 0 {
		t.Errorf("pigeon inspect printed %s raw:\n%q", strings.Join(bad, ", "), out)
	}
	for _, want := range []string{`sha-256 AB:CD\x9d0;pwned\x9c`, `host\u200f \x9b2Jevil\u202elacol.local:5000 (udp), mDNS name`} {
		if !strings.Contains(out, want) {
			t.Errorf("pigeon inspect does not show %q:\n%s", want, out)
		}
	}
	report(hostile.Row{Attack: "a code (raw SDP) whose fingerprint and candidate hold C1 controls (OSC, CSI) and bidi characters, to pigeon inspect",
		Sent: int64(len(hostileSDP)), Refused: !t.Failed(), Written: -1,
		Outcome: "shown with each written out (\\x9b, \\u202e), one fact a line"})

	answer := start(t, "answer", "--signal-in", path, "--signal-out", filepath.Join(dir, "answer"), "--interface", "lo",
		"--video", "none", "--audio", "none", "--view", "none", "--speaker", "none", "--timeout", "1s")
	waitOutput(t, "pigeon answer", answer.stderr, `pigeon: the peer's offer points to \x9b2Jevil\u202elacol.local:5000 (mDNS name)`)
	if bad := containsAny(answer.stderr.String(), raw...); len(bad) > 0 {
		t.Errorf("pigeon answer printed %s raw:\n%q", strings.Join(bad, ", "), answer.stderr)
	}
	report(hostile.Row{Attack: "the same code, to pigeon answer", Sent: int64(len(hostileSDP)), Refused: !t.Failed(), Written: -1,
		Outcome: "the line that says where the code points shows the address written out"})
}

// TestHostileLinks plants, as another user of the machine could in a
// directory both can write to, symbolic links where pigeon writes a code,
// a QR picture and a recording: pigeon refuses to write through them (exit
// code 2, or a line that says so), the files they point to are left as
// they were, and files that existed are made readable only by their
// owner. A link to a FIFO, as scripts make, still works.
func TestHostileLinks(t *testing.T) {
	dir := testenv.SharedDir(t)
	victim := filepath.Join(t.TempDir(), "victim")
	intact := func(t *testing.T) {
		t.Helper()
		info, err := os.Stat(victim)
		if b, _ := os.ReadFile(victim); err != nil || string(b) != "precious" || info.Mode().Perm() != 0o644 {
			t.Errorf("the link's target now holds %q with mode %v", b, info.Mode())
		}
	}
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	noMedia := []string{"--video", "none", "--audio", "none", "--interface", "lo", "--view", "none", "--speaker", "none"}

	t.Run("--signal-out", func(t *testing.T) {
		planted := filepath.Join(dir, "offer.txt")
		testenv.PlantLink(t, victim, planted)
		p := start(t, append([]string{"call", "--signal-out", planted, "--signal-in", empty}, noMedia...)...)
		if code := p.exit(t, 20*time.Second); code != 2 {
			t.Errorf("exit code %d, want 2", code)
		}
		if want := "it is a symbolic link"; !strings.Contains(lastLine(p.stderr.String()), want) {
			t.Errorf("the last line %q does not say %q", lastLine(p.stderr.String()), want)
		}
		intact(t)
		report(hostile.Row{Attack: "a symbolic link planted where --signal-out writes the code", Refused: !t.Failed(), Written: -1,
			Outcome: "refused, exit code 2: " + strings.ReplaceAll(strings.TrimPrefix(lastLine(p.stderr.String()), "pigeon: "), dir, "DIR")})

		// A file that others could read is made private.
		code := filepath.Join(dir, "code.txt")
		os.WriteFile(code, []byte("old"), 0o644)
		p = start(t, append([]string{"call", "--signal-out", code, "--signal-in", empty}, noMedia...)...)
		p.exit(t, 20*time.Second)
		info, err := os.Stat(code)
		if b, _ := os.ReadFile(code); err != nil || info.Mode().Perm() != 0o600 || !strings.HasPrefix(string(b), "pg") {
			t.Errorf("the code file holds %q with mode %v, want the code with 0600", b, info.Mode())
		}
		report(hostile.Row{Attack: "--signal-out to a file that others can read (0644)", Refused: !t.Failed(), Written: -1,
			Outcome: "the code written, the file made 0600"})
	})

	t.Run("--signal-out through a link to a FIFO", func(t *testing.T) {
		fifo := mkfifo(t, filepath.Join(dir, "fifo"))
		link := filepath.Join(dir, "to-fifo")
		testenv.PlantLink(t, fifo, link)
		got := make(chan string, 1)
		go func() {
			b, _ := os.ReadFile(fifo)
			got <- string(b)
		}()
		p := start(t, append([]string{"call", "--signal-out", link, "--signal-in", empty}, noMedia...)...)
		select {
		case code := <-got:
			if !strings.HasPrefix(code, "pg") {
				t.Errorf("the FIFO carried %q, want the code", code)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("nothing came through the FIFO; stderr:\n%s", p.stderr)
		}
	})

	t.Run("--qr-png", func(t *testing.T) {
		planted := filepath.Join(dir, "offer.png")
		testenv.PlantLink(t, victim, planted)
		testenv.PlantLink(t, victim, filepath.Join(dir, ".offer.png.tmp")) // where the picture was once made first
		p := start(t, append([]string{"call", "--qr-png", planted, "--signal-out", filepath.Join(dir, "qr-offer"), "--signal-in", empty}, noMedia...)...)
		p.exit(t, 20*time.Second)
		intact(t)
		info, err := os.Lstat(planted)
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != 0o600 {
			t.Errorf("--qr-png left %v (%v), want the picture in place of the link, mode 0600", info.Mode(), err)
		}
		report(hostile.Row{Attack: "symbolic links planted where --qr-png writes the picture, and where it once made it first", Refused: !t.Failed(), Written: -1,
			Outcome: "the picture made under a name of its own (mode 0600) takes the link's place; its target is untouched"})
	})

	t.Run("--record", func(t *testing.T) {
		rec := mkdir(t, filepath.Join(dir, "recording"))
		os.Chmod(rec, 0o777)
		testenv.PlantLink(t, victim, filepath.Join(rec, "video.ivf"))
		video := newPLIWatch(t)
		h := callPigeon(t, call.Options{Tracks: []webrtc.TrackLocal{video}}, "--record", rec)
		waitOutput(t, "pigeon", h.pigeon.stderr, "pigeon: chat open")
		for i := range 50 {
			video.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: 90000, Marker: true},
				Payload: []byte{0x10, 0, 0, 0}})
			time.Sleep(10 * time.Millisecond)
		}
		says := "pigeon: receiving video: opening the video recording: open " + filepath.Join(rec, "video.ivf") + ": it is a symbolic link"
		waitOutput(t, "pigeon", h.pigeon.stderr, says)
		intact(t)
		report(hostile.Row{Attack: "a symbolic link planted in the --record directory where the video goes", Refused: !t.Failed(), Written: -1,
			Outcome: "not written through, and said: " + strings.ReplaceAll(strings.TrimPrefix(says, "pigeon: "), dir, "DIR")})
	})
}

// lanAddress is an IPv4 address of this machine other than loopback, or
// "" when it has none.
func lanAddress() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipnet, ok := a.(*net.IPNet); ok && !ipnet.IP.IsLoopback() && ipnet.IP.To4() != nil && !ipnet.IP.IsLinkLocalUnicast() {
			return ipnet.IP.String()
		}
	}
	return ""
}

// TestHostileWebLAN: whoever can change a LAN's traffic could rewrite a
// page served over it in plain http. pigeon web serves plain http on
// loopback alone, refuses it on the LAN unless told --insecure-lan, and
// serves the LAN over https with a kept certificate whose fingerprint the
// URLs carry.
func TestHostileWebLAN(t *testing.T) {
	p := start(t, "web", "--listen", ":0")
	if code := p.exit(t, 10*time.Second); code != 2 || !strings.Contains(p.stderr.String(), "add --tls") {
		t.Errorf("plain http on every address: exit code %d, stderr:\n%s", code, p.stderr)
	}
	report(hostile.Row{Attack: "pigeon web asked for plain http on every address, where the LAN can rewrite the page", Refused: !t.Failed(), Written: -1,
		Outcome: "refused, exit code 2, unless --insecure-lan: " + strings.TrimPrefix(lastLine(p.stderr.String()), "pigeon: ")})

	srv := start(t, "web")
	waitOutput(t, "pigeon web", srv.stdout, "\n")
	url := strings.TrimSpace(srv.stdout.String())
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.Contains(url, "\n") {
		t.Errorf("pigeon web printed %q, want the loopback URL alone", url)
	}
	if lan := lanAddress(); lan != "" {
		port := url[strings.LastIndex(url, ":")+1 : len(url)-1]
		if c, err := net.DialTimeout("tcp", net.JoinHostPort(lan, port), 2*time.Second); err == nil {
			c.Close()
			t.Errorf("the page is reachable at %s:%s, on the LAN, over plain http", lan, port)
		}
	}

	certFile := filepath.Join(t.TempDir(), "web-tls.pem")
	var pinned []string
	for range 2 {
		srv := start(t, "web", "--tls", "--tls-cert", certFile)
		waitOutput(t, "pigeon web --tls", srv.stdout, "\n")
		waitOutput(t, "pigeon web --tls", srv.stderr, "serving the call page")
		urls := strings.Fields(srv.stdout.String())
		m := regexp.MustCompile(`#sha256=([0-9A-F]{64})$`).FindStringSubmatch(urls[len(urls)-1])
		if m == nil {
			t.Fatalf("the LAN URL %q carries no fingerprint", urls[len(urls)-1])
		}
		pinned = append(pinned, m[1])
		srv.cmd.Process.Kill()
	}
	if pinned[0] != pinned[1] {
		t.Errorf("the certificate changed between two runs: %s, then %s", pinned[0], pinned[1])
	}
	report(hostile.Row{Attack: "pigeon web --tls twice, for a phone on the LAN", Refused: !t.Failed(), Written: -1,
		Outcome: "https on every address with the certificate kept in --tls-cert (0600): the same fingerprint both runs, carried in each URL (#sha256=...) and the QR code"})
}

// freeUDPPort returns a UDP port on loopback that nothing listens on.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestHostileTURNPasswordOutOfSight: --turn-pass shows the TURN password
// to every user of the machine, in ps. Two pigeons call through a coturn
// on loopback with --relay-only, one given the password in a file
// (--turn-pass-file), the other in $PIGEON_TURN_PASS: the call goes
// through the relay, which takes no wrong password, and neither command
// line holds it.
func TestHostileTURNPasswordOutOfSight(t *testing.T) {
	testenv.RequireTools(t, "turnserver")
	const password = "correct horse battery staple"
	dir := t.TempDir()
	port := freeUDPPort(t)
	turn := exec.Command("turnserver", "-n", "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1",
		"--listening-port", fmt.Sprint(port), "--min-port", "42000", "--max-port", "42999", "--allow-loopback-peers",
		"--lt-cred-mech", "--user", "pigeon:"+password, "--realm", "pigeon.test", "--fingerprint", "--no-cli", "--no-tls",
		"--no-dtls", "--no-tcp", "--pidfile", filepath.Join(dir, "turnserver.pid"), "--userdb", filepath.Join(dir, "turndb"),
		"--log-file", "stdout", "--simple-log")
	if err := turn.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { turn.Process.Kill(); turn.Wait() })

	passFile := filepath.Join(dir, "turn-pass")
	os.WriteFile(passFile, []byte(password+"\n"), 0o600)
	offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
	common := []string{"--video", "none", "--audio", "none", "--interface", "lo", "--view", "none", "--speaker", "none",
		"--turn", fmt.Sprintf("turn:127.0.0.1:%d", port), "--turn-user", "pigeon", "--relay-only", "-v"}
	caller := start(t, append([]string{"call", "--signal-out", offer, "--signal-in", answer, "--turn-pass-file", passFile}, common...)...)
	t.Setenv("PIGEON_TURN_PASS", password) // the callee's alone: the caller has started
	callee := start(t, append([]string{"answer", "--signal-in", offer, "--signal-out", answer}, common...)...)
	for _, p := range []*proc{caller, callee} {
		waitOutputWithin(t, 30*time.Second, "pigeon", p.stderr, "pigeon: path: relayed through a TURN server")
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(cmdline), "horse") {
			t.Errorf("the command line shows the password: %q", cmdline)
		}
	}
	report(hostile.Row{Attack: "another user reads the command lines (ps) of two pigeons calling through a TURN relay", Refused: !t.Failed(), Written: -1,
		Outcome: "the password came from --turn-pass-file and $PIGEON_TURN_PASS: the relay took it, and neither command line holds it"})
}
