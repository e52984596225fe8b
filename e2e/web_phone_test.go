package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPageOnAPhone: at a phone's size the page fits the screen's width,
// its buttons are large enough to touch, every control has a name a screen
// reader says, and a code is used by keyboard alone.
func TestPageOnAPhone(t *testing.T) {
	p := openPage(t)
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if v := eval[string](p, `document.querySelector('meta[name=viewport]')?.content || ""`); !strings.Contains(v, "width=device-width") {
		t.Errorf("viewport meta %q, want width=device-width", v)
	}
	check := func(when string) {
		t.Helper()
		if w := eval[int](p, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("%s: the page is %d pixels wide on a screen of 360", when, w)
		}
		// Every visible control: its height in CSS pixels and its name.
		type control struct {
			ID     string  `json:"id"`
			Height float64 `json:"height"`
			Name   string  `json:"name"`
		}
		controls := eval[[]control](p, `[...document.querySelectorAll("button, input, select, textarea")]
			.filter((e) => e.offsetParent !== null)
			.map((e) => ({
				id: e.id || e.outerHTML.slice(0, 40),
				height: e.getBoundingClientRect().height,
				name: [e.getAttribute("aria-label"), e.labels && e.labels[0] && e.labels[0].textContent, e.textContent]
					.map((n) => (n || "").trim()).find((n) => n) || "",
			}))`)
		if len(controls) == 0 {
			t.Fatalf("%s: no control on the page", when)
		}
		for _, c := range controls {
			if c.Height < 44 {
				t.Errorf("%s: %s is %.0f pixels high, too small to touch (44 at least)", when, c.ID, c.Height)
			}
			if c.Name == "" {
				t.Errorf("%s: %s has no name for a screen reader", when, c.ID)
			}
		}
	}
	check("before a call")
	p.click("start")
	code := p.myCode()
	check("with its code shown")
	p.shot("TestPageOnAPhone-code.png")

	// The QR code shows larger at a touch, and back.
	p.click("qr-zoom")
	if w := eval[float64](p, `document.getElementById("my-qr").getBoundingClientRect().width`); w < 340 {
		t.Errorf("the enlarged QR code is %.0f pixels wide on a screen of 360", w)
	}
	p.click("qr-zoom")

	// A long code cycles through smaller QR codes; a button shows it whole.
	if parts, _ := p.qrCycle(); len(parts) < 2 {
		t.Errorf("the page's code of %d characters is shown as %d QR code", len(code), len(parts))
	}
	p.click("qr-split")
	parts, whole := p.qrCycle()
	if want := eval[string](p, `window.pigeon.codes.qrText(document.getElementById("my-code").value)`); len(parts) != 1 || whole != want {
		t.Errorf("after %q, the page shows %d QR codes holding %.20q, want one holding %.20q", "One QR code", len(parts), whole, want)
	}

	// Another page answers; this one takes the answer by Enter in the field.
	callee := p.another()
	callee.click("answer")
	callee.waitFor("ready for the offer", `!document.getElementById("theirs").hidden`)
	callee.paste(code)
	p.set("peer-code", callee.myCode())
	p.js(`document.getElementById("peer-code").dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }))`)
	p.waitFor("the chat opening", `window.pigeon.state.chatOpen`)
	check("in the call")
}
