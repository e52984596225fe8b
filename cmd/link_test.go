package cmd

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestHelpHasExitCodes checks that every command's help ends with the exit
// codes, which the usage function adds.
func TestHelpHasExitCodes(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"call", "--help"}, {"answer", "--help"}, {"web", "--help"}} {
		io, out, _ := testIO("")
		root := NewCmdRoot(io)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		text := out.String()
		if !strings.Contains(text, "Usage:") || !strings.HasSuffix(text, "\n"+exitCodesHelp+"\n") {
			t.Errorf("%v: the help does not end with the exit codes:\n%s", args, text)
		}
	}
}

// TestLinkerDropsUnusedMethods links pigeon and checks that nothing
// reachable calls a method by a name known only when it runs (as
// text/template does): the linker then keeps every exported method of
// every type in the program, a third of the executable, and the kernel
// maps the executable whole, so each call's memory grows by as much.
func TestLinkerDropsUnusedMethods(t *testing.T) {
	if testing.Short() {
		t.Skip("links the whole program")
	}
	cmd := exec.Command("go", "build", "-ldflags=-dumpdep", "-o", "/dev/null", "github.com/pigeon-call/pigeon")
	var deps bytes.Buffer
	cmd.Stderr = &deps
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v\n%s", err, lastLines(deps.String(), 20))
	}
	for _, line := range strings.Split(deps.String(), "\n") {
		if strings.Contains(line, "<ReflectMethod>") {
			t.Fatalf("the linker keeps all methods, for %s", line)
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
