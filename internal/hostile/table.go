package hostile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Row is one attack as a test made it on a pigeon process, and what it
// measured there.
type Row struct {
	Attack  string // what the hostile side did
	Sent    int64  // bytes it sent for the attack; 0 when not the point
	Refused bool   // pigeon refused it, or kept within its bounds
	Outcome string // what pigeon did and said
	Written int64  // bytes pigeon wrote meanwhile, to disk and its streams (/proc/PID/io wchar); -1 when not measured
	RSS     int64  // pigeon's resident memory as the attack began, in bytes; 0 when not measured
	PeakRSS int64  // its peak resident memory until the attack was over
}

// Fuzzer is one fuzz test of a decoder of outside input.
type Fuzzer struct {
	Package, Name string
	Doc           string // the first sentence of its comment
}

// WriteTable writes the rows and the fuzzers as Markdown, with a line on
// how the table was made.
func WriteTable(w io.Writer, rows []Row, fuzzers []Fuzzer, machine string) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "# Hostile input")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "Written by `make hostile` (`go test -run Hostile ./e2e -hostile-table FILE`): each row is an")
	fmt.Fprintln(b, "attack an e2e test made on a real pigeon process, from a peer of the test's own (pigeon's call")
	fmt.Fprintln(b, "package over pion, breaking the protocol on purpose) or from what a local user or the network can")
	fmt.Fprintln(b, "do, with what the test measured in that process: the bytes it wrote meanwhile (/proc/PID/io wchar:")
	fmt.Fprintln(b, "files and its own stdout and stderr), its resident memory as the attack began and its peak until")
	fmt.Fprintln(b, "the attack was over (VmRSS sampled every 10 ms, and VmHWM). \"-\" is not measured. The tests fail")
	fmt.Fprintln(b, "when pigeon does not refuse or bound an attack.")
	fmt.Fprintln(b)
	fmt.Fprintf(b, "Machine: %s\n\n", machine)
	fmt.Fprintln(b, "| attack | sent | refused or bounded | what pigeon did | written | RSS before | peak RSS |")
	fmt.Fprintln(b, "| --- | ---: | --- | --- | ---: | ---: | ---: |")
	for _, r := range rows {
		refused := "no"
		if r.Refused {
			refused = "yes"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", cell(r.Attack), orNone(r.Sent), refused, cell(r.Outcome),
			size(r.Written), orNone(r.RSS), orNone(r.PeakRSS))
	}
	fmt.Fprintln(b)
	fmt.Fprintln(b, "## Fuzzers")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "Every decoder of outside input has a fuzz test; `make fuzz` runs each for FUZZTIME (20 s by default).")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "| package | fuzzer | what it holds to |")
	fmt.Fprintln(b, "| --- | --- | --- |")
	for _, f := range fuzzers {
		doc := cell(f.Doc)
		if doc == "" {
			doc = "-"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", f.Package, f.Name, doc)
	}
	return b.Flush()
}

// orNone is size(n), or "-" for 0: not measured, or not the point.
func orNone(n int64) string {
	if n == 0 {
		return "-"
	}
	return size(n)
}

// cell keeps a text in its table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func size(n int64) string {
	switch {
	case n < 0:
		return "-"
	case n == 0:
		return "0"
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// Process is what /proc says of a running process: its resident memory
// now and at its peak, and the bytes it has written.
type Process struct {
	RSS, PeakRSS int64
	Written      int64
}

// Measure reads /proc for the process pid.
func Measure(pid int) (Process, error) {
	var p Process
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return p, err
	}
	for line := range strings.Lines(string(status)) {
		key, value, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch key {
		case "VmRSS":
			p.RSS = kb << 10
		case "VmHWM":
			p.PeakRSS = kb << 10
		}
	}
	io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return p, err
	}
	for line := range strings.Lines(string(io)) {
		if value, ok := strings.CutPrefix(line, "wchar: "); ok {
			p.Written, _ = strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		}
	}
	return p, nil
}
