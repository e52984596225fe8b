package control

import (
	"errors"
	"io"
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/console"
	"github.com/pigeon-call/pigeon/offline"
)

// Read hands each line next returns to Line, until the input ends or the
// call does. next returns io.EOF at the end of input (Ctrl-D), which hangs
// up once the chat is open and the files being sent have gone, when
// endHangsUp, so that the peer hears the goodbye; console.ErrInterrupted
// (Ctrl-C read as a key) hangs up at once.
func (c *Controller) Read(next func() (string, error), endHangsUp bool) {
	for {
		line, err := next()
		if errors.Is(err, console.ErrInterrupted) {
			c.opts.Verifier.end()
			c.HangUp()
			return
		}
		if line != "" && c.Line(line) != nil {
			return // the call is over
		}
		if err != nil {
			c.opts.Verifier.end()
			if endHangsUp && errors.Is(err, io.EOF) {
				select {
				case <-c.session.Ready():
					c.files.wait()
					c.HangUp()
				case <-c.session.Done():
				}
			}
			return
		}
	}
}

// Line acts on one line the person typed: a reply to the Verifier's
// question, an answer code pasted again (refused), a command, or else a
// chat message, which it sends. It returns an error only when the call
// is over.
func (c *Controller) Line(line string) error {
	if c.opts.Verifier.take(line) || c.refused(line) || c.Command(line) {
		return nil
	}
	return c.send(line)
}

// refused reports whether line holds an answer code, for the caller: a
// second answer, refused and not sent to the peer. A person who pastes an
// answer into a call that is up has the wrong window, or is being sent
// someone else's; either way the call goes on with the answer it has.
func (c *Controller) refused(line string) bool {
	c.mu.Lock()
	offer, inviting := c.offer, c.inviting != nil
	c.mu.Unlock()
	if offer == nil && !inviting {
		return false
	}
	answer, err := offline.Decode(line)
	if err != nil || answer.Kind != offline.Answer {
		return false
	}
	if c.takeInviteAnswer(answer) {
		return true
	}
	if offer == nil {
		c.say("not sent to the peer: %s", c.explain(offline.ErrAnswerMismatch))
		return true
	}
	err = AcceptAnswer(c.session, *offer, answer, func(string, ...any) {})
	if err == nil {
		err = call.ErrAnswerUsed // cannot happen: the session has its answer
	}
	c.say("not sent to the peer: %s", c.explain(err))
	return true
}

// AcceptAnswer hands s an answer to the offer this side sent, and refuses
// one made for another offer (offline.CheckAnswer) or a second one
// (call.ErrAnswerUsed). An answer that names no offer, an older pigeon's or
// another WebRTC program's, is taken, and warn says so.
func AcceptAnswer(s *call.Session, offer, answer offline.Signal, warn func(format string, args ...any)) error {
	if err := offline.CheckAnswer(offer, answer); err != nil {
		return err
	}
	if answer.AnswersTo == nil {
		warn("this answer does not say which offer it answers (an older pigeon's, or another WebRTC program's): it cannot be checked against yours")
	}
	return s.Accept(Description(answer))
}

// Command acts on a chat line that is a command, and reports whether it
// was one: /quit, /mute, /unmute, /video off, /video on, /source NAME,
// /send PATH, /accept, /decline, /cancel, /stats, /restart [CODE], /help.
// A restart code pasted alone is taken as /restart CODE.
func (c *Controller) Command(line string) bool {
	if code, ok := strings.CutPrefix(strings.TrimSpace(line), "/restart "); ok || offline.IsRestartCode(line) {
		if !ok {
			code = line
		}
		go c.takeRestartCode(code)
		return true
	}
	if name, ok := strings.CutPrefix(line, "/source "); ok && strings.TrimSpace(name) != "" {
		c.source(strings.TrimSpace(name))
		return true
	}
	if path, ok := strings.CutPrefix(line, "/send "); ok {
		for _, s := range c.sessions() {
			c.files.start(s, strings.TrimSpace(path))
		}
		return true
	}
	command := strings.Join(strings.Fields(line), " ")
	if act, ok := c.commands()[command]; ok {
		act()
		return true
	}
	if strings.HasPrefix(line, "/") {
		c.say("unknown command %q: /help lists them", line)
		return true
	}
	return false
}

// commands are the commands of one word or two, and what each does.
func (c *Controller) commands() map[string]func() {
	return map[string]func(){
		"/accept":    func() { c.files.answer(true) },
		"/decline":   func() { c.files.answer(false) },
		"/cancel":    c.files.cancel,
		"/quit":      c.HangUp,
		"/mute":      func() { c.set(audio, true) },
		"/unmute":    func() { c.set(audio, false) },
		"/video off": func() { c.set(video, true) },
		"/video on":  func() { c.set(video, false) },
		"/source":    c.sourceHelp,
		"/stats":     c.stats,
		"/invite":    c.invite,
		"/restart":   func() { go c.restartCode() },
		"/help":      c.help,
	}
}

func (c *Controller) help() {
	c.say("commands: %s/send PATH, /accept, /decline, /cancel, /mute, /unmute, /video off, /video on, /source %s, /stats, "+
		"/restart (a code for the peer when both of you changed networks; /restart CODE, or the code alone, takes the peer's), "+
		"/quit; in the window: m, v, s (the next video source), f, q", groupHelp(c.opts.Group), SourceNames)
}

// Description returns sig as pion takes it.
func Description(sig offline.Signal) webrtc.SessionDescription {
	t := webrtc.SDPTypeOffer
	if sig.Kind == offline.Answer {
		t = webrtc.SDPTypeAnswer
	}
	return webrtc.SessionDescription{Type: t, SDP: sig.SDP}
}
