package control

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/offline"
)

// DescribePeerAddresses says where the peer's code points: the addresses
// this side will send its connectivity checks to, which a person can tell
// apart from a stranger's ("the peer's offer points to 192.168.1.5:5000
// (LAN)").
func DescribePeerAddresses(sig offline.Signal) string {
	return DescribePointsTo(sig.Kind.String(), offline.Inspect(sig).Candidates)
}

// DescribePointsTo says where the peer's code of kind what points, given
// its candidates; those that give no address to reach (a browser's TCP
// candidates of type active, on port 9) point nowhere.
func DescribePointsTo(what string, candidates []offline.Candidate) string {
	var to []string
	for _, c := range candidates {
		if !c.Reachable() {
			continue
		}
		host := console.Escape(c.Address, 0) // the peer wrote it
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		// Each media section of a description that is not bundled
		// lists its own candidates, often the same ones.
		if item := fmt.Sprintf("%s:%d (%s)", host, c.Port, c.Scope()); !slices.Contains(to, item) {
			to = append(to, item)
		}
	}
	if len(to) == 0 {
		return fmt.Sprintf("the peer's %s gives no address: it must reach this side first", what)
	}
	return fmt.Sprintf("the peer's %s points to %s", what, strings.Join(to, ", "))
}

// DescribeReveals says which addresses a code gives away to whoever reads
// it, and of what kind: "this offer reveals 192.168.1.5 (LAN)".
func DescribeReveals(sig offline.Signal) string {
	return DescribeRevealed(sig.Kind.String(), offline.Inspect(sig).Candidates)
}

// DescribeRevealed says which addresses this side's code of kind what
// gives away, given its candidates.
func DescribeRevealed(what string, candidates []offline.Candidate) string {
	var revealed, hidden []string
	for _, c := range candidates {
		if !c.Reveals() {
			hidden = append(hidden, c.Address)
			continue
		}
		what := c.Scope()
		if c.Type != "host" {
			what += ", " + console.Escape(c.Type, 0) // inspect shows the peer's codes too
		}
		item := fmt.Sprintf("%s (%s)", c.Address, what)
		if !slices.Contains(revealed, item) {
			revealed = append(revealed, item)
		}
	}
	msg := fmt.Sprintf("this %s reveals ", what)
	switch {
	case len(revealed) == 0 && len(hidden) == 0:
		return msg + "no address"
	case len(revealed) == 0:
		return msg + "no IP address, only mDNS names"
	}
	return msg + strings.Join(revealed, ", ")
}
