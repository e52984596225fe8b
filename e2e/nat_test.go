//go:build linux

package e2e

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pigeon-call/pigeon/internal/testenv"
)

// The NAT lab's addresses: a "public" segment from TEST-NET-3, where the
// STUN and TURN server has two addresses (two destinations, to tell a
// symmetric NAT from a cone), and a 10.N.0.0/24 LAN behind each NAT.
const (
	natServerIP    = "203.0.113.1"
	natServerAltIP = "203.0.113.2"
	natInternetIP  = "203.0.113.254"
	natTURNUser    = "pigeon"
	natTURNPass    = "nat-secret"
)

// natKind is how a NAT router maps its LAN's UDP flows to its public
// address.
type natKind int

const (
	// coneNAT is Linux's MASQUERADE as it is: it keeps the source port
	// when it is free, so a socket has one public address whatever it
	// sends to (endpoint-independent mapping), and lets in only replies
	// from where that socket sent (port-restricted filtering): a
	// port-restricted cone NAT.
	coneNAT natKind = iota
	// symmetricNAT is MASQUERADE --random-fully: a new random public port
	// for each destination, so the address a STUN server sees is of no
	// use to the peer.
	symmetricNAT
)

func (k natKind) String() string {
	if k == symmetricNAT {
		return "symmetric"
	}
	return "cone"
}

// natLab is a set of network namespaces that a test makes and removes: a
// public segment with coturn as STUN and TURN server and a sink for the
// rest of the Internet, and LANs, each a host behind its own NAT router on
// that segment. Nothing in it reaches outside the namespaces.
type natLab struct {
	t      *testing.T
	prefix string
	pub    string // the public namespace
	lans   int
}

// natHost is a machine on a LAN behind a NAT.
type natHost struct {
	netns, iface, ip string
	publicIP         string // its NAT router's
	kind             natKind
}

var natLabs atomic.Int32

// newNATLab makes the public namespace and starts coturn in it; it skips
// the test when this machine cannot.
func newNATLab(t *testing.T) *natLab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces and NAT need root")
	}
	testenv.RequireTools(t, "ip", "iptables", "turnserver")
	// Unique names, so that runs side by side do not collide.
	l := &natLab{t: t, prefix: fmt.Sprintf("pgnat%d-%d", os.Getpid(), natLabs.Add(1))}
	l.pub = l.prefix + "-pub"
	if err := exec.Command("ip", "netns", "add", l.pub).Run(); err != nil {
		t.Skipf("cannot make a network namespace: %v", err)
	}
	t.Cleanup(l.remove)
	l.ip(l.pub, "link", "set", "lo", "up")
	l.ip(l.pub, "link", "add", "br0", "type", "bridge")
	l.ip(l.pub, "addr", "add", natServerIP+"/24", "dev", "br0")
	l.ip(l.pub, "addr", "add", natServerAltIP+"/24", "dev", "br0")
	l.ip(l.pub, "link", "set", "br0", "up")
	// The rest of the Internet: a namespace on the segment that does not
	// forward, so what is sent to an address no one has here (a LAN
	// address from a candidate) vanishes without an error, as it would
	// out there. With no route at all, coturn's relayed send to such an
	// address fails with "network unreachable", and coturn then closes
	// the whole allocation.
	internet := l.prefix + "-internet"
	l.run("ip", "netns", "add", internet)
	l.run("ip", "link", "add", "eth0", "netns", internet, "type", "veth", "peer", "name", "internet", "netns", l.pub)
	l.ip(l.pub, "link", "set", "dev", "internet", "master", "br0")
	l.ip(l.pub, "link", "set", "dev", "internet", "up")
	l.ip(internet, "addr", "add", natInternetIP+"/24", "dev", "eth0")
	l.ip(internet, "link", "set", "eth0", "up")
	l.inNS(internet, "sysctl", "-qw", "net.ipv4.ip_forward=0")
	l.ip(l.pub, "route", "add", "default", "via", natInternetIP)
	l.startCoturn()
	return l
}

// ip runs ip -n netns args, failing the test if it fails.
func (l *natLab) ip(netns string, args ...string) {
	l.t.Helper()
	l.run("ip", append([]string{"-n", netns}, args...)...)
}

// inNS runs a command in netns, failing the test if it fails.
func (l *natLab) inNS(netns string, args ...string) {
	l.t.Helper()
	l.run("ip", append([]string{"netns", "exec", netns}, args...)...)
}

func (l *natLab) run(name string, args ...string) {
	l.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		l.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// remove deletes every namespace of the lab, and with them their links and
// NAT rules. (coturn and pigeon were stopped before: their cleanups ran
// first.)
func (l *natLab) remove() {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if name, _, _ := strings.Cut(line, " "); strings.HasPrefix(name, l.prefix+"-") {
			if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
				l.t.Errorf("removing namespace %s: %v %s", name, err, out)
			}
		}
	}
}

// startCoturn runs coturn in the public namespace as STUN and TURN server
// on both its addresses, relaying from the first.
func (l *natLab) startCoturn() {
	t := l.t
	dir := t.TempDir()
	log := &syncBuffer{}
	cmd := exec.Command("ip", "netns", "exec", l.pub, "turnserver", "-n",
		"--listening-ip", natServerIP, "--listening-ip", natServerAltIP, "--relay-ip", natServerIP,
		"--listening-port", "3478", "--min-port", "40000", "--max-port", "40999",
		"--lt-cred-mech", "--user", natTURNUser+":"+natTURNPass, "--realm", "pigeon.test",
		"--fingerprint", "--no-cli", "--no-tls", "--no-dtls", "--no-tcp", "--no-multicast-peers",
		"--pidfile", filepath.Join(dir, "turnserver.pid"), "--userdb", filepath.Join(dir, "turndb"),
		"--log-file", "stdout", "--simple-log")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting coturn: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("coturn's log:\n%s", log)
		}
	})
}

// addLAN makes a LAN with one host behind a NAT router of the given kind,
// whose public side is on the lab's public segment.
func (l *natLab) addLAN(kind natKind) natHost {
	l.t.Helper()
	l.lans++
	n := l.lans
	router, host := fmt.Sprintf("%s-nat%d", l.prefix, n), fmt.Sprintf("%s-host%d", l.prefix, n)
	h := natHost{netns: host, iface: "eth0", ip: fmt.Sprintf("10.%d.0.2", n),
		publicIP: fmt.Sprintf("203.0.113.%d", 10+n), kind: kind}
	lanRouterIP := fmt.Sprintf("10.%d.0.1", n)
	for _, ns := range []string{router, host} {
		l.run("ip", "netns", "add", ns)
		l.ip(ns, "link", "set", "lo", "up")
	}
	// The links are made in the namespaces, so their names are free to
	// repeat from one lab to the next.
	port := fmt.Sprintf("lan%d", n)
	l.run("ip", "link", "add", "wan", "netns", router, "type", "veth", "peer", "name", port, "netns", l.pub)
	l.ip(l.pub, "link", "set", "dev", port, "master", "br0")
	l.ip(l.pub, "link", "set", "dev", port, "up")
	l.run("ip", "link", "add", "lan", "netns", router, "type", "veth", "peer", "name", h.iface, "netns", host)
	l.ip(router, "addr", "add", h.publicIP+"/24", "dev", "wan")
	l.ip(router, "addr", "add", lanRouterIP+"/24", "dev", "lan")
	l.ip(router, "link", "set", "wan", "up")
	l.ip(router, "link", "set", "lan", "up")
	l.ip(host, "addr", "add", h.ip+"/24", "dev", h.iface)
	l.ip(host, "link", "set", h.iface, "up")
	l.ip(host, "route", "add", "default", "via", lanRouterIP)
	// The other LANs' addresses lead nowhere, as on the Internet.
	l.ip(router, "route", "add", "default", "via", natInternetIP)
	l.inNS(router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	masquerade := []string{"iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"}
	if kind == symmetricNAT {
		masquerade = append(masquerade, "--random-fully")
	}
	l.inNS(router, masquerade...)
	// A home router's firewall: from the public side, only what belongs
	// to a flow from the LAN. Without it, a peer's first check that
	// arrives before this side has sent to the peer would leave a
	// conntrack entry for the router itself, and the LAN's own flow to
	// that peer would then be given another port: Linux would turn the
	// cone into a symmetric NAT for that peer.
	for _, chain := range []string{"INPUT", "FORWARD"} {
		l.inNS(router, "iptables", "-A", chain, "-i", "wan", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT")
		l.inNS(router, "iptables", "-A", chain, "-i", "wan", "-j", "DROP")
	}
	// When a call fails, what the router let through and the flows it
	// knows say where packets were lost.
	l.t.Cleanup(func() {
		if !l.t.Failed() {
			return
		}
		for _, c := range [][]string{{"iptables", "-L", "-v", "-n", "-x"}, {"cat", "/proc/net/nf_conntrack"}} {
			out, _ := exec.Command("ip", append([]string{"netns", "exec", router}, c...)...).CombinedOutput()
			l.t.Logf("%s NAT router %s, %s:\n%s", kind, router, strings.Join(c, " "), out)
		}
	})
	return h
}

// mappedPorts asks both of the server's addresses, from one UDP socket of
// h, which address they see it from, and returns the two public ports and
// the socket's own.
func (l *natLab) mappedPorts(h natHost) (first, second, local int) {
	t := l.t
	t.Helper()
	conn := listenUDPIn(t, h.netns)
	defer conn.Close()
	local = conn.LocalAddr().(*net.UDPAddr).Port
	var ports [2]int
	for i, server := range []string{natServerIP, natServerAltIP} {
		addr, err := stunBinding(conn, &net.UDPAddr{IP: net.ParseIP(server), Port: 3478}, 10*time.Second)
		if err != nil {
			t.Fatalf("STUN from %s to %s: %v", h.netns, server, err)
		}
		if !addr.IP.Equal(net.ParseIP(h.publicIP)) {
			t.Fatalf("%s saw %s at %s, want its router's %s", server, h.netns, addr, h.publicIP)
		}
		ports[i] = addr.Port
	}
	return ports[0], ports[1], local
}

// listenUDPIn opens a UDP socket in the network namespace netns: the
// socket stays there once the thread that made it is back in this
// process's namespace.
func listenUDPIn(t *testing.T, netns string) *net.UDPConn {
	t.Helper()
	runtime.LockOSThread()
	own, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	defer own.Close()
	target, err := os.Open(filepath.Join("/run/netns", netns))
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("entering %s: %v", netns, err)
	}
	conn, listenErr := net.ListenUDP("udp4", &net.UDPAddr{})
	if err := unix.Setns(int(own.Fd()), unix.CLONE_NEWNET); err != nil {
		// The thread stays locked, so Go ends it with the test's
		// goroutine rather than reuse it in the wrong namespace.
		t.Fatalf("leaving %s: %v", netns, err)
	}
	runtime.UnlockOSThread()
	if listenErr != nil {
		t.Fatalf("a UDP socket in %s: %v", netns, listenErr)
	}
	return conn
}

// stunBinding sends STUN binding requests to server from conn until one is
// answered, and returns the XOR-MAPPED-ADDRESS of the answer (RFC 8489).
func stunBinding(conn *net.UDPConn, server *net.UDPAddr, within time.Duration) (*net.UDPAddr, error) {
	const magic = 0x2112A442
	req := make([]byte, 20)
	binary.BigEndian.PutUint16(req[0:], 0x0001) // Binding request, no attributes
	binary.BigEndian.PutUint32(req[4:], magic)
	rand.Read(req[8:20])
	deadline := time.Now().Add(within)
	buf := make([]byte, 1500)
	for time.Now().Before(deadline) {
		if _, err := conn.WriteToUDP(req, server); err != nil {
			return nil, err
		}
		conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, from, err := conn.ReadFromUDP(buf)
		if err != nil || !from.IP.Equal(server.IP) || n < 20 || binary.BigEndian.Uint16(buf[0:]) != 0x0101 ||
			string(buf[8:20]) != string(req[8:20]) {
			continue // not (yet) the answer: coturn may still be starting
		}
		for attrs := buf[20:n]; len(attrs) >= 4; {
			typ, size := binary.BigEndian.Uint16(attrs[0:]), int(binary.BigEndian.Uint16(attrs[2:]))
			if len(attrs) < 4+size {
				break
			}
			if v := attrs[4 : 4+size]; typ == 0x0020 && size == 8 && v[1] == 0x01 { // XOR-MAPPED-ADDRESS, IPv4
				ip := make(net.IP, 4)
				binary.BigEndian.PutUint32(ip, binary.BigEndian.Uint32(v[4:])^magic)
				return &net.UDPAddr{IP: ip, Port: int(binary.BigEndian.Uint16(v[2:]) ^ magic>>16)}, nil
			}
			attrs = attrs[4+(size+3)&^3:]
		}
		return nil, errors.New("an answer without an IPv4 XOR-MAPPED-ADDRESS")
	}
	return nil, fmt.Errorf("no answer within %v", within)
}

// TestCallsAcrossNATs calls between hosts on LANs behind NATs, through a
// real coturn on the public side, as people on two home networks would:
// behind two cone NATs the call goes directly between the addresses STUN
// found; behind a symmetric NAT only through the TURN server's relay; with
// --relay-only through the relay whatever the NATs. Each time -v and /stats
// say which path it took, and chat goes both ways.
func TestCallsAcrossNATs(t *testing.T) {
	lab := newNATLab(t)
	cone1, cone2, sym := lab.addLAN(coneNAT), lab.addLAN(coneNAT), lab.addLAN(symmetricNAT)

	// The NATs are what they are meant to be: a cone keeps the socket's
	// port toward every destination; a symmetric NAT gives each its own.
	for _, h := range []natHost{cone1, cone2, sym} {
		first, second, local := lab.mappedPorts(h)
		switch {
		case h.kind == coneNAT && (first != local || second != local):
			t.Fatalf("cone NAT: socket port %d mapped to %d and %d, want it kept for both destinations", local, first, second)
		case h.kind == symmetricNAT && first == second:
			t.Fatalf("symmetric NAT: socket port %d mapped to %d for both destinations, want one port each", local, first)
		}
		t.Logf("%s NAT: port %d seen as %d and %d by two destinations", h.kind, local, first, second)
	}

	tests := []struct {
		name           string
		caller, callee natHost
		extra          []string
		want           string // the path's start, in /stats and -v
	}{
		{"cone to cone", cone1, cone2, nil, "pigeon: path: direct through NAT, "},
		{"symmetric to cone", sym, cone2, nil, "pigeon: path: relayed through a TURN server, "},
		{"cone to symmetric", cone1, sym, nil, "pigeon: path: relayed through a TURN server, "},
		{"relay only between cones", cone1, cone2, []string{"--relay-only"}, "pigeon: path: relayed through a TURN server, "},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			began := time.Now()
			dir := t.TempDir()
			offer, answer := mkfifo(t, filepath.Join(dir, "offer")), mkfifo(t, filepath.Join(dir, "answer"))
			servers := []string{"--stun", "stun:" + natServerIP + ":3478", "--turn", "turn:" + natServerIP + ":3478",
				"--turn-user", natTURNUser, "--turn-pass", natTURNPass, "-v", "--video", "none", "--audio", "none"}
			caller := startIn(t, tt.caller.netns, args([]string{"call", "--signal-out", offer, "--signal-in", answer,
				"--interface", tt.caller.iface}, servers, tt.extra)...)
			callee := startIn(t, tt.callee.netns, args([]string{"answer", "--signal-in", offer, "--signal-out", answer,
				"--interface", tt.callee.iface}, servers, tt.extra)...)

			waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
			waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
			connected := time.Since(began)
			fmt.Fprintln(caller.stdin, "hello across the NATs")
			fmt.Fprintln(callee.stdin, "hello back")
			waitOutput(t, "callee's chat", callee.stdout, "hello across the NATs\n")
			waitOutput(t, "caller's chat", caller.stdout, "hello back\n")
			for _, p := range []*proc{caller, callee} {
				waitOutput(t, "-v's path", p.stderr, tt.want)
			}
			fmt.Fprintln(caller.stdin, "/stats")
			waitOutput(t, "caller's /stats", caller.stderr, "pigeon: round trip ")
			stats := lastLineWith(caller.stderr.String(), "pigeon: path: ")
			if !strings.HasPrefix(stats, tt.want) {
				t.Errorf("/stats said %q, want %q...", stats, tt.want)
			}
			if strings.HasPrefix(tt.want, "pigeon: path: direct") {
				// Straight to the peer's NAT: to the public address its
				// code gave, which STUN found (srflx), or to the one its
				// checks came from (prflx, the same NAT mapping of
				// another of its sockets).
				if !strings.Contains(stats, " to "+tt.callee.publicIP+":") ||
					!strings.Contains(stats, "(srflx)") && !strings.Contains(stats, "(prflx)") {
					t.Errorf("/stats said %q, want the path to end at the callee's NAT, %s, as srflx or prflx", stats, tt.callee.publicIP)
				}
				for _, side := range []struct {
					p    *proc
					code string
					h    natHost
				}{{caller, "offer", tt.caller}, {callee, "answer", tt.callee}} {
					if want := side.h.publicIP + " (public, srflx)"; !strings.Contains(lastLineWith(side.p.stderr.String(), "pigeon: this "+side.code+" reveals "), want) {
						t.Errorf("the %s does not give the NAT's address from STUN, %q:\n%s", side.code, want, side.p.stderr)
					}
				}
			} else if !strings.Contains(stats, natServerIP+":") {
				t.Errorf("/stats said %q, want the TURN server's %s in it", stats, natServerIP)
			}
			for _, p := range []*proc{caller, callee} {
				if strings.Contains(p.stderr.String(), natTURNPass) {
					t.Errorf("the TURN password was printed:\n%s", p.stderr)
				}
			}
			caller.stdin.Close()
			if code := caller.exit(t, 10*time.Second); code != 0 {
				t.Errorf("caller exit code %d; stderr:\n%s", code, caller.stderr)
			}
			if code := callee.exit(t, 10*time.Second); code != 0 {
				t.Errorf("callee exit code %d; stderr:\n%s", code, callee.stderr)
			}
			t.Logf("connected and chat open in %v; %s", connected.Round(time.Millisecond), stats)
		})
	}
}

// lastLineWith is the last line of s that starts with prefix, or "".
func lastLineWith(s, prefix string) string {
	last := ""
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, prefix) {
			last = line
		}
	}
	return last
}
