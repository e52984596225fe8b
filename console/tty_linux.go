package console

import "golang.org/x/sys/unix"

// CharMode puts the terminal fd in character mode for an Editor: keys come
// one at a time and are not echoed, while the terminal still turns "\n"
// into a new line on output and Ctrl-C, Ctrl-\ and Ctrl-Z still send their
// signals. restore puts the terminal back as it was.
func CharMode(fd int) (restore func() error, err error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ECHO | unix.IEXTEN
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, err
	}
	return func() error { return unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
