package bench

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// GoBench is a benchmark of one package, run with go test -bench, whose
// figures make bench puts beside the calls'.
type GoBench struct {
	Title   string   // what it measures, as a heading
	Pkg     string   // such as "./transfer/"
	Pattern string   // for -bench
	Args    []string // more go test arguments, such as "-benchtime", "3x"
}

// Figure is one value a benchmark reported.
type Figure struct {
	Value float64
	Unit  string
}

// BenchResult is one benchmark's line of go test output.
type BenchResult struct {
	Name    string // without "Benchmark" and the GOMAXPROCS suffix
	Figures []Figure
}

// Run runs the benchmark in dir, the module's root, and returns its results.
func (g GoBench) Run(dir string) ([]BenchResult, error) {
	args := g.args()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	results := ParseBench(string(out))
	if len(results) == 0 {
		return nil, fmt.Errorf("go %s printed no benchmark results:\n%s", strings.Join(args, " "), out)
	}
	return results, nil
}

// args are go's arguments for the run: the package before g.Args, which
// may end in -args and the benchmark's own flags.
func (g GoBench) args() []string {
	return append([]string{"test", "-run", "^$", "-bench", g.Pattern, "-timeout", "30m", g.Pkg}, g.Args...)
}

// ParseBench reads the result lines of go test -bench output: a name, the
// number of iterations, then pairs of value and unit. The time per
// iteration is left out when a benchmark reports figures of its own, since
// then they are what it measures.
func ParseBench(out string) []BenchResult {
	var results []BenchResult
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || len(fields)%2 != 0 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue
		}
		r := BenchResult{Name: benchName(fields[0])}
		var perOp *Figure
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				r.Figures = nil
				break
			}
			f := Figure{Value: v, Unit: fields[i+1]}
			switch f.Unit {
			case "ns/op":
				perOp = &f
			case "B/op", "allocs/op":
			default:
				r.Figures = append(r.Figures, f)
			}
		}
		if len(r.Figures) == 0 && perOp != nil {
			r.Figures = []Figure{*perOp}
		}
		if len(r.Figures) > 0 {
			results = append(results, r)
		}
	}
	return results
}

// benchName drops the "Benchmark" prefix and the "-N" that go test adds for
// GOMAXPROCS.
func benchName(s string) string {
	s = strings.TrimPrefix(s, "Benchmark")
	if i := strings.LastIndexByte(s, '-'); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			s = s[:i]
		}
	}
	return s
}

// WriteBenchTable writes results as a Markdown table, one benchmark a row.
func WriteBenchTable(w io.Writer, results []BenchResult) {
	fmt.Fprintln(w, "| benchmark | figures |")
	fmt.Fprintln(w, "| --- | --- |")
	for _, r := range results {
		var figs []string
		for _, f := range r.Figures {
			figs = append(figs, num(f.Value)+" "+f.Unit)
		}
		fmt.Fprintf(w, "| %s | %s |\n", r.Name, strings.Join(figs, ", "))
	}
}
