// Command pprotel-interop feeds files written by pprotel to reference Go
// implementations (google/pprof, the OpenTelemetry collector's pdata, and the
// profcheck conformance rules) and reports, one line per file, whether they
// accept them: "PASS <file>" or "FAIL <file>: <reason>". It exits 0 when all
// pass, 1 when any fails, 2 on a usage error. interop/run.sh drives it over
// the corpus; interop/README.md says what each check proves.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pprotel/pprotel/interop/internal/agree"
	"github.com/pprotel/pprotel/interop/internal/breakage"
	"github.com/pprotel/pprotel/interop/internal/check"
	"github.com/pprotel/pprotel/interop/internal/conform"
	"github.com/pprotel/pprotel/interop/internal/pprofbreak"
	profiles "go.opentelemetry.io/proto/slim/otlp/profiles/v1development"
)

const usage = `usage: pprotel-interop <command> <args>

commands:
  check-pprof [-json] FILE...   google/pprof decodes the protobuf pprof and CheckValid accepts it;
                                with -json one {"file","valid","stage","error","rule"} object per
                                line: google/pprof's verdict, and the pprotel rule of its error
  string-equal A B              google/pprof Profile.String() of A and B are identical
  check-otlp FILE...            binary OTLP: pdata decodes it, profcheck rules (CLI defaults)
                                pass, pdata's JSON codec carries it unchanged
  check-otlp-json FILE...       OTLP JSON: pdata decodes it (unknown fields refused) and the
                                profcheck rules pass on its protobuf re-encoding
  json-agree JSONFILE PROTOFILE the JSON and the binary file hold the same data for pdata
  pdata-json IN.pb OUT.json     write pdata's own OTLP JSON of a binary ProfilesData
  conform [-check-dupes] [-check-sample-shapes=BOOL] [-check-orphans] [-json] FILE...
                                profcheck rules alone (same flags and defaults as the profcheck
                                CLI), every problem printed on its own indented line; with -json
                                one {"file","problems":[{"rule","message"}]} (or {"file","error"})
                                object per line instead
  break IN.pb OUTDIR            write deliberately broken variants of a binary ProfilesData,
                                one OUTDIR/<what-it-breaks>.pb per variant
  agree CONFORM.json PPROTEL.json
                                compare conform -json with pprotel validate --json output per file:
                                same verdict, same number of problems, same number per rule
  pprof-break IN OUTDIR         write deliberately broken variants of a pprof (gzip or raw), one
                                raw OUTDIR/<what-it-breaks>.pb per variant
  pprof-agree GOOGLE.json PPROTEL.json
                                compare check-pprof -json with pprotel validate --json output per
                                file: google/pprof refuses it exactly when pprotel does, for a
                                reason pprotel reports

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
		if len(rest) > 0 && rest[0] == "-json" {
			if len(rest) == 1 {
				return usageErr("check-pprof: no files given")
			}
			return runPprofVerdicts(rest[1:], stdout, stderr)
		}
		return perFile(func(p string) error { _, err := check.ReadPprof(p); return err })
	case "string-equal":
		return pair(check.StringEqual)
	case "check-otlp":
		return perFile(check.CheckOTLP)
	case "check-otlp-json":
		return perFile(check.CheckOTLPJSON)
	case "json-agree":
		return pair(check.JSONAgree)
	case "pdata-json":
		return pair(check.WritePdataJSON)
	case "conform":
		return runConform(rest, stdout, stderr)
	case "break":
		if len(rest) != 2 {
			return usageErr("break: needs IN.pb and OUTDIR")
		}
		return runBreak(rest[0], rest[1], stdout, stderr)
	case "agree":
		if len(rest) != 2 {
			return usageErr("agree: needs CONFORM.json and PPROTEL.json")
		}
		return runAgree(rest[0], rest[1], stdout, stderr)
	case "pprof-break":
		if len(rest) != 2 {
			return usageErr("pprof-break: needs IN and OUTDIR")
		}
		return runPprofBreak(rest[0], rest[1], stdout, stderr)
	case "pprof-agree":
		if len(rest) != 2 {
			return usageErr("pprof-agree: needs GOOGLE.json and PPROTEL.json")
		}
		return runPprofAgree(rest[0], rest[1], stdout, stderr)
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
	asJSON := fs.Bool("json", false, "print one JSON object per file, with each problem's rule")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "pprotel-interop: conform: no files given")
		return 2
	}
	code := 0
	enc := json.NewEncoder(stdout)
	for _, p := range fs.Args() {
		data, err := os.ReadFile(p)
		var pd *profiles.ProfilesData
		if err == nil {
			pd, err = conform.Decode(data)
		}
		if *asJSON {
			out := agree.ConformFile{File: p, Problems: []conform.Problem{}}
			if err != nil {
				out.Error = check.OneLine(err.Error())
			} else if found := c.Report(pd); len(found) > 0 {
				out.Problems = found
			}
			if len(out.Problems) > 0 || out.Error != "" {
				code = 1
			}
			if err := enc.Encode(out); err != nil {
				fmt.Fprintln(stderr, "pprotel-interop: conform:", err)
				return 2
			}
			continue
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

// runBreak writes the broken variants of one binary ProfilesData.
func runBreak(in, dir string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(in)
	var pd *profiles.ProfilesData
	if err == nil {
		pd, err = conform.Decode(data)
	}
	var vs []breakage.Variant
	if err == nil {
		vs, err = breakage.Write(pd, dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "pprotel-interop: break %s: %v\n", in, err)
		return 2
	}
	fmt.Fprintf(stdout, "wrote %d variants of %s to %s\n", len(vs), in, dir)
	return 0
}

// runPprofVerdicts prints google/pprof's verdict on each file as one JSON
// object per line; exit 1 when it refuses any.
func runPprofVerdicts(files []string, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	code := 0
	for _, p := range files {
		v := check.JudgePprofFile(p)
		if !v.Valid {
			code = 1
		}
		if err := enc.Encode(v); err != nil {
			fmt.Fprintln(stderr, "pprotel-interop: check-pprof:", err)
			return 2
		}
	}
	return code
}

// runPprofBreak writes the broken variants of one pprof.
func runPprofBreak(in, dir string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(in)
	var vs []pprofbreak.Variant
	if err == nil {
		vs, err = pprofbreak.Write(data, dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "pprotel-interop: pprof-break %s: %v\n", in, err)
		return 2
	}
	fmt.Fprintf(stdout, "wrote %d variants of %s to %s\n", len(vs), in, dir)
	return 0
}

// runPprofAgree compares check-pprof -json output with pprotel validate
// --json output.
func runPprofAgree(googlePath, pprotelPath string, stdout, stderr io.Writer) int {
	var gs []check.PprofVerdict
	var ps []agree.PprotelFile
	err := readWith(googlePath, func(r io.Reader) (err error) { gs, err = agree.ReadPprofVerdicts(r); return })
	if err == nil {
		err = readWith(pprotelPath, func(r io.Reader) (err error) { ps, err = agree.ReadPprotel(r); return })
	}
	if err != nil {
		fmt.Fprintln(stderr, "pprotel-interop: pprof-agree:", err)
		return 2
	}
	if len(gs) == 0 && len(ps) == 0 {
		fmt.Fprintln(stderr, "pprotel-interop: pprof-agree: both outputs are empty")
		return 2
	}
	return printResults(stdout, agree.ComparePprof(gs, ps))
}

func readWith(path string, f func(io.Reader) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	return f(file)
}

// printResults prints one PASS/FAIL line per result, details indented below
// a FAIL, and returns the exit code.
func printResults(w io.Writer, results []agree.Result) int {
	code := 0
	for _, r := range results {
		if r.Problem == "" {
			fmt.Fprintf(w, "PASS %s\n", r.File)
			continue
		}
		code = 1
		fmt.Fprintf(w, "FAIL %s: %s\n", r.File, r.Problem)
		for _, d := range r.Detail {
			fmt.Fprintf(w, "    %s\n", d)
		}
	}
	return code
}

// runAgree compares conform -json output with pprotel validate --json output.
func runAgree(conformPath, pprotelPath string, stdout, stderr io.Writer) int {
	var cs []agree.ConformFile
	var ps []agree.PprotelFile
	err := readWith(conformPath, func(r io.Reader) (err error) { cs, err = agree.ReadConform(r); return })
	if err == nil {
		err = readWith(pprotelPath, func(r io.Reader) (err error) { ps, err = agree.ReadPprotel(r); return })
	}
	if err != nil {
		fmt.Fprintln(stderr, "pprotel-interop: agree:", err)
		return 2
	}
	if len(cs) == 0 && len(ps) == 0 {
		fmt.Fprintln(stderr, "pprotel-interop: agree: both outputs are empty")
		return 2
	}
	return printResults(stdout, agree.Compare(cs, ps))
}
