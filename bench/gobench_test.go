package bench

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestParseBench(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: github.com/pigeon-call/pigeon/scan
cpu: AMD EPYC
BenchmarkDistortions/blur-2         	       3	  41234567 ns/op	         4.000 frames/read
BenchmarkDistortions/dim_screen-2   	       3	  11234567 ns/op	         1.000 frames/read
BenchmarkDecode-2                   	   20000	     61234 ns/op	    2048 B/op	      12 allocs/op
BenchmarkTransfer-2  1  9000000000 ns/op  84.5 pigeon-MB/s  1.62 pigeon/example
--- FAIL: BenchmarkBroken
PASS
ok  	github.com/pigeon-call/pigeon/scan	12.3s
`
	got := ParseBench(out)
	want := []BenchResult{
		{"Distortions/blur", []Figure{{4, "frames/read"}}},
		{"Distortions/dim_screen", []Figure{{1, "frames/read"}}},
		{"Decode", []Figure{{61234, "ns/op"}}},
		{"Transfer", []Figure{{84.5, "pigeon-MB/s"}, {1.62, "pigeon/example"}}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || len(got[i].Figures) != len(want[i].Figures) {
			t.Fatalf("result %d is %v, want %v", i, got[i], want[i])
		}
		for j := range want[i].Figures {
			if got[i].Figures[j] != want[i].Figures[j] {
				t.Errorf("result %d figure %d is %v, want %v", i, j, got[i].Figures[j], want[i].Figures[j])
			}
		}
	}
	var table bytes.Buffer
	WriteBenchTable(&table, got)
	if !strings.Contains(table.String(), "| Transfer | 84.5 pigeon-MB/s, 1.6 pigeon/example |") {
		t.Errorf("table:\n%s", table.String())
	}
}

func TestGoBenchArgsKeepThePackageBeforeArgs(t *testing.T) {
	g := GoBench{Pkg: "./transfer/", Pattern: "^BenchmarkTransfer$", Args: []string{"-benchtime", "3x", "-args", "-transfer-mib", "256"}}
	args := g.args()
	pkg, rest := slices.Index(args, "./transfer/"), slices.Index(args, "-args")
	if pkg < 0 || rest < 0 || pkg > rest {
		t.Fatalf("go %v: the package must come before -args, which passes all after it to the test binary", args)
	}
}
