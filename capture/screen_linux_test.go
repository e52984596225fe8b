package capture

import (
	"image/color"
	"testing"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// TestSwitchVideoToTheScreen captures a virtual screen painted red through
// mediadevices' X11 driver: the pictures turn red, and switching back
// closes the screen's source.
func TestSwitchVideoToTheScreen(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb")
	}
	display := mediatest.StartXvfb(t, 320, 240)
	t.Setenv("DISPLAY", display)
	mediatest.FillXRoot(t, display, color.RGBA{255, 0, 0, 255})

	m, err := Open(Options{Video: Test, Audio: None, Width: 160, Height: 120, FrameRate: 15})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := previews(m)
	label, err := m.SwitchVideo(Screen)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(label)
	red := [3]uint8{}
	red[0], red[1], red[2] = limitedYCbCr(255, 0, 0)
	waitColour(t, got, red)

	screen := m.video.source()
	if again, err := m.SwitchVideo(Screen); err != nil || again != label || m.video.source() != screen {
		t.Fatalf("switching to the screen again: %q, %v; want the screen as it was", again, err)
	}
	if _, err := m.SwitchVideo(Test); err != nil {
		t.Fatal(err)
	}
	waitColour(t, got, [3]uint8{testBars[3][0], testBars[3][1], testBars[3][2]})
	if _, _, err := screen.Read(); err == nil {
		t.Error("the screen's source still reads after the switch away from it")
	}
}
