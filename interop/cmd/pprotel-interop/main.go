// Command pprotel-interop feeds files written by pprotel to reference Go
// implementations (google/pprof, the OpenTelemetry collector's pdata, and the
// profcheck conformance rules) and reports, one line per file, whether they
// accept them: "PASS <file>" or "FAIL <file>: <reason>". It exits 0 when all
// pass, 1 when any fails, 2 on a usage error. interop/run.sh drives it over
// the corpus; interop/README.md says what each check proves.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pprotel/pprotel/interop/internal/check"
	"github.com/pprotel/pprotel/interop/internal/conform"
	profiles "go.opentelemetry.io/proto/slim/otlp/profiles/v1development"
)

const usage = `usage: pprotel-interop <command> <args>

commands:
  check-pprof FILE...           google/pprof decodes the protobuf pprof and CheckValid accepts it
  string-equal A B              google/pprof Profile.String() of A and B are identical
  check-otlp FILE...            binary OTLP: pdata decodes it, profcheck rules (CLI defaults)
                                pass, pdata's JSON codec carries it unchanged
  check-otlp-json FILE...       OTLP JSON: pdata decodes it (unknown fields refused) and the
                                profcheck rules pass on its protobuf re-encoding
  json-agree JSONFILE PROTOFILE the JSON and the binary file hold the same data for pdata
  conform [-check-dupes] [-check-sample-shapes=BOOL] [-check-orphans] FILE...
                                profcheck rules alone (same flags and defaults as the profcheck
                                CLI), every problem printed on its own indented line

not available (their Go modules are not served by the Go module proxy; see README.md):
  profcheck, ref-to-otlp, ref-to-pprof, bench-ref
`

// unavailable names the commands of the interop plan that cannot be built
// here, and why, so that a caller gets the reason instead of "unknown command".
var unavailable = map[string]string{
	"profcheck":    "github.com/open-telemetry/sig-profiling/profcheck is not served by the Go module proxy; 'conform' applies its rules (independent implementation)",
	"ref-to-otlp":  "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/translator/pprof is not served by the Go module proxy",
	"ref-to-pprof": "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/translator/pprof is not served by the Go module proxy",
	"bench-ref":    "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/translator/pprof is not served by the Go module proxy",
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	usageErr := func(msg string) int {
		if msg != "" {
			fmt.Fprintln(stderr, "pprotel-interop: "+msg)
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	if len(args) == 0 {
		return usageErr("")
	}
	cmd, rest := args[0], args[1:]
	perFile := func(f func(string) error) int {
		if len(rest) == 0 {
			return usageErr(cmd + ": no files given")
		}
		return report(stdout, rest, f)
	}
	pair := func(f func(a, b string) error) int {
		if len(rest) != 2 {
			return usageErr(cmd + ": needs exactly two files")
		}
		return reportPair(stdout, rest[0], rest[1], f)
	}
	switch cmd {
	case "check-pprof":
		return perFile(func(p string) error { _, err := check.ReadPprof(p); return err })
	case "string-equal":
		return pair(check.StringEqual)
	case "check-otlp":
		return perFile(check.CheckOTLP)
	case "check-otlp-json":
		return perFile(check.CheckOTLPJSON)
	case "json-agree":
		return pair(check.JSONAgree)
	case "conform":
		return runConform(rest, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	if why, ok := unavailable[cmd]; ok {
		fmt.Fprintf(stderr, "pprotel-interop: %s is not available: %s\n", cmd, why)
		return 2
	}
	return usageErr("unknown command " + cmd)
}

// report prints one PASS/FAIL line per file. A multi-line reason keeps its
// first line on the FAIL line and the rest indented below it.
func report(w io.Writer, files []string, f func(string) error) int {
	code := 0
	for _, p := range files {
		if err := f(p); err != nil {
			fmt.Fprintf(w, "FAIL %s: %s\n", p, indentRest(err.Error()))
			code = 1
		} else {
			fmt.Fprintf(w, "PASS %s\n", p)
		}
	}
	return code
}

func reportPair(w io.Writer, a, b string, f func(a, b string) error) int {
	return report(w, []string{a + " vs " + b}, func(string) error { return f(a, b) })
}

func indentRest(s string) string {
	return strings.ReplaceAll(s, "\n", "\n    ")
}

func runConform(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := conform.CLIDefaults()
	fs.BoolVar(&c.Duplicates, "check-dupes", c.Duplicates, "flag duplicate strings and mappings in the dictionary")
	fs.BoolVar(&c.SampleShapes, "check-sample-shapes", c.SampleShapes, "enforce the values/timestamps sample shape rules")
	fs.BoolVar(&c.Orphans, "check-orphans", c.Orphans, "flag unreferenced dictionary entries")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "pprotel-interop: conform: no files given")
		return 2
	}
	code := 0
	for _, p := range fs.Args() {
		data, err := os.ReadFile(p)
		var pd *profiles.ProfilesData
		if err == nil {
			pd, err = conform.Decode(data)
		}
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %s\n", p, check.OneLine(err.Error()))
			code = 1
			continue
		}
		problems := c.Problems(pd)
		if len(problems) == 0 {
			fmt.Fprintf(stdout, "PASS %s\n", p)
			continue
		}
		code = 1
		fmt.Fprintf(stdout, "FAIL %s: %d conformance problems\n", p, len(problems))
		for _, m := range problems {
			fmt.Fprintf(stdout, "    %s\n", m)
		}
	}
	return code
}
