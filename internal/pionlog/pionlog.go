// Package pionlog hands pion's log lines to pigeon's own status lines,
// worded for a person ("data channel error: failed to accept ..."), in
// place of the raw lines pion's default logger writes to stderr
// ("datachannel ERROR: 2026/12/06 ...").
package pionlog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pion/logging"
)

// Factory is a pion logging.LoggerFactory whose loggers hand each line to
// a function, at the levels pion's own variables set (PION_LOG_ERROR,
// PION_LOG_WARN, ... naming scopes or "all"; errors alone by default, as
// pion has it).
type Factory struct {
	say    func(line string)
	levels *logging.DefaultLoggerFactory // only its levels
}

// New returns a Factory whose loggers hand their lines to say, which must
// be safe to call from many goroutines. A nil say drops every line.
func New(say func(line string)) *Factory {
	return &Factory{say: say, levels: logging.NewDefaultLoggerFactory()}
}

// Discard is a Factory that drops every line.
var Discard logging.LoggerFactory = &Factory{}

// NewLogger returns the logger of one of pion's scopes ("ice", "dtls",
// "sctp", "datachannel", ...).
func (f *Factory) NewLogger(scope string) logging.LeveledLogger {
	if f.say == nil {
		return logger{}
	}
	level := f.levels.DefaultLogLevel
	if l, ok := f.levels.ScopeLevels[strings.ToLower(scope)]; ok {
		level = l
	}
	return logger{say: f.say, area: area(scope), level: level}
}

// areas name what each of pion's scopes is about, in a person's words.
var areas = map[string]string{
	"ice":                     "connectivity checks (ICE)",
	"agent":                   "connectivity checks (ICE)",
	"mdns":                    "mDNS names",
	"turn":                    "TURN relay",
	"turnc":                   "TURN relay",
	"dtls":                    "encryption (DTLS)",
	"dtlstransport":           "encryption (DTLS)",
	"srtp":                    "media encryption (SRTP)",
	"sctp":                    "data channels (SCTP)",
	"datachannel":             "data channel",
	"pc":                      "peer connection",
	"ortc":                    "peer connection",
	"api":                     "peer connection",
	"rtpreceiver":             "media received",
	"restart":                 "ICE restart",
	"nack_generator":          "retransmissions asked",
	"nack_responder":          "retransmissions sent",
	"receiver_interceptor":    "reports on what arrives (RTCP)",
	"sender_interceptor":      "reports on what is sent (RTCP)",
	"stats_recorder":          "statistics",
	"twcc_sender_interceptor": "congestion feedback",
	"gcc_delay_controller":    "congestion control",
	"gcc_loss_controller":     "congestion control",
}

func area(scope string) string {
	if a, ok := areas[strings.ToLower(scope)]; ok {
		return a
	}
	return "WebRTC (" + scope + ")"
}

// levelWords are how a line says its level: an error or a warning stands
// out; the rest is what -v says anyway.
var levelWords = map[logging.LogLevel]string{
	logging.LogLevelError: " error",
	logging.LogLevelWarn:  " warning",
	logging.LogLevelInfo:  "",
	logging.LogLevelDebug: " (debug)",
	logging.LogLevelTrace: " (trace)",
}

// logger is one scope's logger; the zero logger says nothing.
type logger struct {
	say   func(line string)
	area  string
	level logging.LogLevel
}

// on reports whether lines of level are said: pion logs in its hot paths,
// and a line not said must cost no formatting.
func (l logger) on(level logging.LogLevel) bool { return l.say != nil && level <= l.level }

func (l logger) log(level logging.LogLevel, msg string) {
	if l.on(level) {
		l.say(l.area + levelWords[level] + ": " + sentence(msg))
	}
}

func (l logger) logf(level logging.LogLevel, format string, args ...any) {
	if l.on(level) {
		l.log(level, fmt.Sprintf(format, args...))
	}
}

// sentence makes pion's message part of pigeon's line: one line, no
// capital to start it but for a name in capitals ("ICE", "DTLS").
func sentence(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	first, size := utf8.DecodeRuneInString(msg)
	second, _ := utf8.DecodeRuneInString(msg[size:])
	if unicode.IsUpper(first) && !unicode.IsUpper(second) {
		return string(unicode.ToLower(first)) + msg[size:]
	}
	return msg
}

func (l logger) Trace(msg string)                  { l.log(logging.LogLevelTrace, msg) }
func (l logger) Tracef(format string, args ...any) { l.logf(logging.LogLevelTrace, format, args...) }
func (l logger) Debug(msg string)                  { l.log(logging.LogLevelDebug, msg) }
func (l logger) Debugf(format string, args ...any) { l.logf(logging.LogLevelDebug, format, args...) }
func (l logger) Info(msg string)                   { l.log(logging.LogLevelInfo, msg) }
func (l logger) Infof(format string, args ...any)  { l.logf(logging.LogLevelInfo, format, args...) }
func (l logger) Warn(msg string)                   { l.log(logging.LogLevelWarn, msg) }
func (l logger) Warnf(format string, args ...any)  { l.logf(logging.LogLevelWarn, format, args...) }
func (l logger) Error(msg string)                  { l.log(logging.LogLevelError, msg) }
func (l logger) Errorf(format string, args ...any) { l.logf(logging.LogLevelError, format, args...) }
