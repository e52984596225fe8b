package bench

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestGroupCall runs the group benchmark short, so that it keeps working.
func TestGroupCall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pigeon and runs three processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pigeon")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("building pigeon: %v\n%s", err, out)
	}
	c, err := RunGroupCall(context.Background(), bin, dir, 3, time.Second, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	WriteGroupTable(&table, []GroupCall{c})
	t.Log("\n" + table.String())
	for i, p := range c.Persons {
		// Two peers, each sent the test picture: well above nothing.
		if p.Upload < 100e3 || p.CPU <= 0 || p.PeakRSS == 0 {
			t.Errorf("person %d: %+v", i, p)
		}
	}
}
