package mediatest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image/color"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// FillXRoot paints the whole screen of the X display (":N", as StartXvfb
// returns) in c, for a test that captures the screen and looks for that
// colour. It speaks the X protocol itself, so it needs no X program: it
// sets the root window's background and clears the window to it. The
// connection stays open until the test ends, as an X server that loses its
// last client resets the screen.
func FillXRoot(t testing.TB, display string, c color.RGBA) {
	t.Helper()
	// An X server that has just lost its last client (StartXvfb's check
	// that it answers) resets, and drops a connection made meanwhile.
	deadline := time.Now().Add(10 * time.Second)
	conn, err := fillXRoot(display, c)
	for err != nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		conn, err = fillXRoot(display, c)
	}
	if err != nil {
		t.Fatalf("painting the screen of %s: %v", display, err)
	}
	t.Cleanup(func() { conn.Close() })
}

func fillXRoot(display string, c color.RGBA) (net.Conn, error) {
	n := strings.TrimPrefix(display, ":")
	conn, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+n, time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	root, err := xSetUp(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	le := binary.LittleEndian
	var req []byte
	// ChangeWindowAttributes(root, CWBackPixel, pixel): a TrueColor pixel
	// of 8 bits a colour, as Xvfb's 24-bit screen has.
	req = le.AppendUint16(append(req, 2, 0), 4)
	req = le.AppendUint32(req, root)
	req = le.AppendUint32(req, 0x2)
	req = le.AppendUint32(req, uint32(c.R)<<16|uint32(c.G)<<8|uint32(c.B))
	// ClearArea(root, 0, 0, 0, 0): the whole window, without exposures.
	req = le.AppendUint16(append(req, 61, 0), 4)
	req = le.AppendUint32(req, root)
	req = append(req, make([]byte, 8)...)
	// GetInputFocus: its reply says the server has done the two above.
	req = le.AppendUint16(append(req, 43, 0), 1)
	if _, err := conn.Write(req); err != nil {
		conn.Close()
		return nil, err
	}
	reply := make([]byte, 32)
	if _, err := io.ReadFull(conn, reply); err != nil {
		conn.Close()
		return nil, err
	}
	if reply[0] != 1 {
		conn.Close()
		return nil, fmt.Errorf("the X server answered with error %d", reply[1])
	}
	conn.SetDeadline(time.Time{})
	return conn, nil
}

// xSetUp opens an X connection on conn and returns the first screen's root
// window.
func xSetUp(conn net.Conn) (uint32, error) {
	// Little-endian, X11.0, no authorization.
	if _, err := conn.Write([]byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		return 0, err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	data := make([]byte, 4*int(le.Uint16(head[6:])))
	if _, err := io.ReadFull(conn, data); err != nil {
		return 0, err
	}
	if head[0] != 1 {
		return 0, errors.New("the X server refused the connection")
	}
	if len(data) < 32 {
		return 0, errors.New("a short X connection setup")
	}
	vendor := (int(le.Uint16(data[16:])) + 3) &^ 3
	formats := int(data[21])
	at := 32 + vendor + 8*formats
	if data[20] == 0 || len(data) < at+4 {
		return 0, errors.New("the X server has no screen")
	}
	return le.Uint32(data[at:]), nil
}
