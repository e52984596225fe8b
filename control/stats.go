package control

import (
	"context"
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/transfer"
)

// stats says how the call is doing: the path, the round trip, the bytes
// each way and their rate, losses, and what arrives.
func (c *Controller) stats() {
	if c.isGrouped() {
		c.groupStats()
		return
	}
	c.sessionStats(c.session, "")
}

// sessionStats says the stats of one session, and of what arrives from
// the peer whose tiles are key ("" for every track).
func (c *Controller) sessionStats(s *call.Session, key string) {
	st, ok := s.Stats()
	if !ok {
		c.say("the call is not up yet")
		return
	}
	c.say("path: %s", st.Path())
	c.say("round trip %s; sending %s, receiving %s; sent %s, received %s", st.RTT.Round(100*time.Microsecond),
		BitRate(st.SendBitRate), BitRate(st.ReceiveBitRate),
		transfer.FormatBytes(int64(st.Sent)), transfer.FormatBytes(int64(st.Received)))
	c.say("packets lost on the way here: %d of %d (%.2f%%)", max(st.PacketsLost, 0),
		max(st.PacketsLost, 0)+st.PacketsReceived, st.LossPercent())
	if c.out == nil {
		return
	}
	now := time.Now()
	for _, r := range c.out.Stats() {
		if r.Packets == 0 || key != "" && r.Peer != key {
			continue
		}
		current := BitRate(r.BitRate)
		if r.Kind == webrtc.RTPCodecTypeVideo {
			current = fmt.Sprintf("%.1f fps, %s", r.FPS, current)
		}
		if now.Sub(r.Last) > 2*time.Second {
			current = "nothing for " + now.Sub(r.Last).Round(time.Second).String()
		}
		c.say("receiving %s; now %s", r, current)
	}
}

// BitRate writes bits a second for a person: "950 kbit/s", "1.2 Mbit/s".
func BitRate(bps float64) string {
	if bps >= 1e6 {
		return fmt.Sprintf("%.1f Mbit/s", bps/1e6)
	}
	return fmt.Sprintf("%.0f kbit/s", bps/1e3)
}

// restartWait bounds how long making or taking a restart code may take:
// gathering the candidates, with a STUN server that may not answer.
const restartWait = 15 * time.Second

// restartCode shows a restart code for the peer (/restart): for a call
// whose path is lost because both sides moved, it carries this side's new
// addresses by another way than the call.
func (c *Controller) restartCode() {
	if !c.up() {
		c.say("the call is not up yet")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), restartWait)
	defer cancel()
	code, err := c.session.RestartCode(ctx)
	if err != nil {
		c.say("/restart: %s", c.explain(err))
		return
	}
	c.restartNote()
	c.say("restart code: send it to your peer by another way (a messenger, email) to paste into their pigeon's chat, " +
		"then paste the code their pigeon prints back into this one:")
	c.show(code)
	c.revealed(code)
}

// takeRestartCode takes the peer's restart code, pasted into the chat, and
// shows this side's in reply unless the peer's was a reply itself.
func (c *Controller) takeRestartCode(code string) {
	if !c.up() {
		c.say("the call is not up yet")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), restartWait)
	defer cancel()
	reply, err := c.session.ApplyRestartCode(ctx, code)
	if err != nil {
		c.say("restart code refused: %s", c.explain(err))
		return
	}
	if r, err := offline.DecodeRestart(code); err == nil {
		c.say("%s", DescribePointsTo("restart code", r.Addresses()))
	}
	if reply == "" {
		c.say("restart code taken: reconnecting to the peer's new address...")
		c.restartNote()
		return
	}
	c.say("restart code taken: reconnecting; send this code back to your peer by the same way, to paste into their pigeon's chat:")
	c.show(reply)
	c.revealed(reply)
}

// revealed says which addresses this side's restart code gives away.
func (c *Controller) revealed(code string) {
	if r, err := offline.DecodeRestart(code); err == nil {
		c.say("%s", DescribeRevealed("restart code", r.Addresses()))
	}
}
