package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBrowserSeesVideoPigeonAdds: pigeon starts the call with the page
// without video, then adds it with /source test, as the caller (its offer
// goes over the call) and as the callee (it asks the page for an offer).
// The page, which had decoded no video, decodes the test picture.
func TestBrowserSeesVideoPigeonAdds(t *testing.T) {
	for _, c := range []struct {
		name         string
		pigeonOffers bool
	}{{"pigeon calls", true}, {"pigeon answers", false}} {
		t.Run(c.name, func(t *testing.T) {
			p := openPage(t)
			pg, toPage, fromPage := startForPage(t, c.pigeonOffers, "--video", "none", "--audio", "test", "--format", "full")
			readCode := func() string {
				b, err := os.ReadFile(toPage)
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(string(b))
			}
			writeCode := func(code string) {
				if err := os.WriteFile(fromPage, []byte(code+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if c.pigeonOffers {
				code := readCode()
				p.click("answer")
				p.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
				p.paste(code)
				writeCode(p.myCode())
			} else {
				p.click("start")
				writeCode(p.myCode())
				p.paste(readCode())
			}
			waitOutput(t, "pigeon", pg.stderr, "pigeon: chat open")
			p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
			waitStats(t, p, "pigeon's audio", func(st pageStats) bool { return st.AudioPackets >= 25 })
			if st := eval[pageStats](p, `window.pigeon.stats()`); st.VideoFrames != 0 {
				t.Fatalf("the page decoded %d video frames from a pigeon that sends none", st.VideoFrames)
			}

			fmt.Fprintln(pg.stdin, "/source test")
			waitOutput(t, "pigeon's /source test", pg.stderr, "pigeon: video on: sending test pattern")
			st := waitStats(t, p, "the video pigeon added", func(st pageStats) bool { return st.VideoFrames >= 20 })
			t.Logf("page received: %d video frames decoded (%dx%d), %d audio packets", st.VideoFrames, st.Width, st.Height, st.AudioPackets)
			if st.Width != 640 || st.Height != 480 {
				t.Errorf("the page decoded %dx%d, want pigeon's test picture at 640x480", st.Width, st.Height)
			}
			pg.stdin.Close()
			if code := pg.exit(t, 10*time.Second); code != 0 {
				t.Errorf("pigeon exit code %d, want 0; stderr:\n%s", code, pg.stderr)
			}
		})
	}
}

// waitStats polls the page's stats until ok says they are what is wanted.
func waitStats(t *testing.T, p *page, what string, ok func(pageStats) bool) pageStats {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := eval[pageStats](p, `window.pigeon.stats()`)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("page: %s never came: %+v", what, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
