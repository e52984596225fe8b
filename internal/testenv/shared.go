package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir makes a directory anyone may write to. Not sticky, as /tmp
// is: there Linux itself refuses to follow another user's link
// (fs.protected_symlinks), and the program's own check would go untested.
func SharedDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// PlantLink makes a link at path to target, as another user of the
// machine would: run as root, it gives the link to nobody. It returns
// path.
func PlantLink(tb testing.TB, target, path string) string {
	tb.Helper()
	if err := os.Symlink(target, path); err != nil {
		tb.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Lchown(path, 65534, 65534); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}
