package call

import (
	"encoding/hex"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/pion/logging"
)

// A compact code leaves the ICE credentials out: each side derives the
// peer's from the fingerprint the code carries (Options.Credentials). So a
// code whose fingerprint was altered on its way gives its reader the wrong
// credentials as well, and ICE fails before DTLS can say that the
// certificate does not match: the peers reach each other, but each throws
// away the other's connectivity checks, which name the credentials of
// another session. pion tells that only in its log; checkWatch listens
// there, so that such a call ends with ErrCertificateMismatch, as one whose
// altered fingerprint DTLS refused, rather than as a network failure.
//
// A foreign check only changes what a failed call says: the call still
// waits for ICE to fail or for Options.Timeout, since anyone who can send a
// packet to the port could send such a check, and the peer's right ones may
// yet come.

// wrongUsernameLog starts what pion's ICE agent logs when it throws away a
// check that names other credentials (pion/ice v4.4 agent.go,
// handleInboundRequest); its error, from AssertUsername, says
// "expected(<hex>) actual(<hex>)", the usernames "local:remote" in hex.
const wrongUsernameLog = "Discard request with wrong username"

var usernamesRE = regexp.MustCompile(`expected\(([0-9a-f]*)\) actual\(([0-9a-f]*)\)`)

// checkWatch is a logger factory (Options.LoggerFactory) whose ICE logger
// also sets foreign when the peer's checks name credentials other than the
// ones the descriptions gave: it sees every warning, whether the factory it
// wraps says it or not.
type checkWatch struct {
	logging.LoggerFactory
	foreign *atomic.Bool
}

func newCheckWatch(logs logging.LoggerFactory, foreign *atomic.Bool) checkWatch {
	return checkWatch{LoggerFactory: logs, foreign: foreign}
}

func (w checkWatch) NewLogger(scope string) logging.LeveledLogger {
	l := w.LoggerFactory.NewLogger(scope)
	if scope != "ice" {
		return l
	}
	return iceLogger{LeveledLogger: l, foreign: w.foreign}
}

type iceLogger struct {
	logging.LeveledLogger
	foreign *atomic.Bool
}

func (l iceLogger) Warnf(format string, args ...any) {
	if strings.HasPrefix(format, wrongUsernameLog) && foreignCheck(args) {
		l.foreign.Store(true)
	}
	l.LeveledLogger.Warnf(format, args...)
}

// foreignCheck reports whether the error among args says that a check
// named other credentials once this side knew the peer's: before that (a
// caller waiting for the answer), the checks of a peer who already has
// them are expected to be thrown away.
func foreignCheck(args []any) bool {
	for _, a := range args {
		err, ok := a.(error)
		if !ok {
			continue
		}
		m := usernamesRE.FindStringSubmatch(err.Error())
		if m == nil {
			continue
		}
		expected, _ := hex.DecodeString(m[1])
		_, remote, _ := strings.Cut(string(expected), ":")
		return remote != ""
	}
	return false
}
