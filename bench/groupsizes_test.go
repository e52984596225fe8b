package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestGroupSizes measures the sizes make bench does, when asked
// (PIGEON_GROUP_SIZES=1): a quicker look than the whole report.
func TestGroupSizes(t *testing.T) {
	if os.Getenv("PIGEON_GROUP_SIZES") == "" {
		t.Skip("set PIGEON_GROUP_SIZES=1 to measure group calls of 2, 3, 4 and 6")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pigeon")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("building pigeon: %v\n%s", err, out)
	}
	var calls []GroupCall
	for _, n := range []int{2, 3, 4, 6} {
		c, err := RunGroupCall(context.Background(), bin, dir, n, 3*time.Second, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	var table bytes.Buffer
	WriteGroupTable(&table, calls)
	t.Log("\n" + table.String())
}
