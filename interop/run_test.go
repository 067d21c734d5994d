// Tests of run.sh: it is driven with a stand-in pprotel (this test binary,
// re-executed) whose behaviour per corpus file is known, so that the
// counting, skipping, known-differences and exit-code rules are checked
// without the real pprotel.
package interop_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/pdata/pprofile"
	"google.golang.org/protobuf/proto"

	"github.com/pprotel/pprotel/interop/internal/breakage"
	"github.com/pprotel/pprotel/interop/internal/check"
	"github.com/pprotel/pprotel/interop/internal/conform"
	"github.com/pprotel/pprotel/interop/internal/fixture"
	"github.com/pprotel/pprotel/interop/internal/pprofbreak"
	profiles "go.opentelemetry.io/proto/slim/otlp/profiles/v1development"
)

const fakeEnv = "PPROTEL_INTEROP_FAKE_PPROTEL"

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnv) == "1" {
		os.Exit(fakePprotel(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakePprotel implements `convert IN -o OUT --to otlp|pprof|otlp-json`:
// OTLP output is the valid fixture (with IN remembered beside it), pprof
// output is the remembered original, except that inputs named "fail-otlp*"
// cannot be converted to OTLP and inputs named "lossy*" come back with one
// sample value changed. It also implements `validate --json` (see
// fakeValidate) and `diff A B` (see fakeDiff).
func fakePprotel(args []string) int {
	if len(args) > 0 && args[0] == "validate" {
		return fakeValidate(args[1:])
	}
	if len(args) == 3 && args[0] == "diff" {
		return fakeDiff(args[1], args[2])
	}
	if len(args) != 6 || args[0] != "convert" || args[2] != "-o" || args[4] != "--to" {
		fmt.Fprintf(os.Stderr, "fake pprotel: unexpected arguments %q\n", args)
		return 2
	}
	in, out, to := args[1], args[3], args[5]
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "fake pprotel: %v\n", err)
		return 2
	}
	switch to {
	case "otlp":
		if strings.HasPrefix(filepath.Base(in), "fail-otlp") {
			return fail(fmt.Errorf("%s: refusing on purpose", in))
		}
		data, err := proto.Marshal(fixture.Valid())
		if err == nil {
			err = os.WriteFile(out+".src", []byte(in), 0o644)
		}
		if err == nil {
			err = os.WriteFile(out, data, 0o644)
		}
		if err != nil {
			return fail(err)
		}
	case "otlp-json":
		data, err := proto.Marshal(fixture.Valid())
		if err != nil {
			return fail(err)
		}
		pd, err := (&pprofile.ProtoUnmarshaler{}).UnmarshalProfiles(data)
		if err != nil {
			return fail(err)
		}
		js, err := (&pprofile.JSONMarshaler{}).MarshalProfiles(pd)
		if err == nil {
			err = os.WriteFile(out, js, 0o644)
		}
		if err != nil {
			return fail(err)
		}
	case "pprof":
		src, err := os.ReadFile(in + ".src")
		if err != nil {
			return fail(err)
		}
		raw, err := os.ReadFile(string(src))
		if err != nil {
			return fail(err)
		}
		p, err := profile.ParseData(raw)
		if err != nil {
			return fail(err)
		}
		if strings.HasPrefix(filepath.Base(string(src)), "lossy") {
			p.Sample[0].Value[0]++
		}
		var buf bytes.Buffer
		if err := p.Write(&buf); err != nil {
			return fail(err)
		}
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			return fail(err)
		}
	default:
		return fail(fmt.Errorf("unknown --to %s", to))
	}
	return 0
}

// fakeDiff implements `diff A.pb B.json` for the pdata-json-agrees step: A is
// binary OTLP, B pdata's JSON; exit 0 when pdata reads them as the same data
// (equal protobuf encodings), 1 when not, 2 when either cannot be read.
func fakeDiff(pb, js string) int {
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "fake pprotel: %v\n", err)
		return 2
	}
	bin, err := os.ReadFile(pb)
	if err != nil {
		return fail(err)
	}
	text, err := os.ReadFile(js)
	if err != nil {
		return fail(err)
	}
	fromBin, err := (&pprofile.ProtoUnmarshaler{}).UnmarshalProfiles(bin)
	if err != nil {
		return fail(err)
	}
	fromJSON, err := (&pprofile.JSONUnmarshaler{}).UnmarshalProfiles(text)
	if err != nil {
		return fail(err)
	}
	a, errA := (&pprofile.ProtoMarshaler{}).MarshalProfiles(fromBin)
	b, errB := (&pprofile.ProtoMarshaler{}).MarshalProfiles(fromJSON)
	if errA != nil || errB != nil {
		return fail(fmt.Errorf("re-encoding: %v %v", errA, errB))
	}
	if !bytes.Equal(a, b) {
		fmt.Println("different")
		return 1
	}
	return 0
}

// fakeValidate implements `validate --json [--check-dupes] [--check-orphans]
// FILE...` with pprotel's report format. OTLP files it judges by running
// conform: it agrees with conform, except that on the OTLP of a corpus file
// whose name holds "disagree" it reports one orphan more. pprof files (gzip,
// as the corpus files are, or any file in run.sh's directory of broken pprof
// variants, "pprof-broken") it judges by google/pprof's verdict: valid, a
// violation of the rule of google/pprof's error, or an unreadable file when
// the error has no rule; except that it finds a corpus file whose name holds
// "pprof-stricter" invalid.
func fakeValidate(args []string) int {
	c := conform.CLIDefaults()
	var files []string
	for _, a := range args {
		switch a {
		case "--json":
		case "--check-dupes":
			c.Duplicates = true
		case "--check-orphans":
			c.Orphans = true
		default:
			files = append(files, a)
		}
	}
	wd, _ := os.Getwd()
	pprofDir := filepath.Base(wd) == "pprof-broken"
	var report []map[string]any
	code := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil && (pprofDir || len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
			entry, c := fakeValidatePprof(f, data)
			report = append(report, entry)
			code = max(code, c)
			continue
		}
		var pd *profiles.ProfilesData
		if err == nil {
			pd, err = conform.Decode(data)
		}
		if err != nil {
			report = append(report, map[string]any{"file": f, "error": err.Error()})
			code = 2
			continue
		}
		vs := []map[string]string{}
		for _, p := range c.Report(pd) {
			vs = append(vs, map[string]string{"path": "", "rule": string(p.Rule), "message": p.Message})
		}
		if src, err := os.ReadFile(f + ".src"); err == nil && strings.Contains(filepath.Base(string(src)), "disagree") {
			vs = append(vs, map[string]string{"path": "dictionary.string_table[9]", "rule": "orphan", "message": "fake"})
		}
		if len(vs) > 0 {
			code = max(code, 1)
		}
		report = append(report, map[string]any{"file": f, "format": "otlp", "valid": len(vs) == 0, "violations": vs})
	}
	out, err := json.Marshal(map[string]any{"files": report})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(string(out))
	return code
}

// fakeValidatePprof is fakeValidate's entry for one pprof file, and its exit code.
func fakeValidatePprof(f string, data []byte) (map[string]any, int) {
	v := check.JudgePprof(data)
	if strings.Contains(filepath.Base(f), "pprof-stricter") {
		v = check.PprofVerdict{Rule: "unknown-id", Error: "fake"}
	}
	switch {
	case v.Valid:
		return map[string]any{"file": f, "format": "pprof", "valid": true, "violations": []any{}}, 0
	case v.Rule == "":
		return map[string]any{"file": f, "error": f + ": " + v.Error}, 2
	}
	vs := []map[string]string{{"path": "", "rule": v.Rule, "message": v.Error}}
	return map[string]any{"file": f, "format": "pprof", "valid": false, "violations": vs}, 1
}

// runScript runs run.sh with the fake pprotel over a corpus holding one copy
// of a real corpus profile per given name, and the given known differences.
// Cases d and e break the first name's OTLP and pprof.
func runScript(t *testing.T, names []string, known string) (code int, out string) {
	t.Helper()
	src := filepath.Join(fixture.CorpusDir(t), "pprof", "parca__pkg_query_testdata_two-stacks.pb.gz")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	corpus := t.TempDir()
	if err := os.Mkdir(filepath.Join(corpus, "pprof"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(corpus, "pprof", n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	knownFile := filepath.Join(t.TempDir(), "known.txt")
	if err := os.WriteFile(knownFile, []byte(known), 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	cmd := exec.Command("bash", "run.sh", self)
	cmd.Env = append(os.Environ(), fakeEnv+"=1", "PPROTEL_CORPUS="+corpus, "PPROTEL_INTEROP_KNOWN="+knownFile, "TMPDIR="+tmp,
		"PPROTEL_INTEROP_BREAK="+names[0])
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("run.sh left %d entries in its temporary directory", len(left))
	}
	return code, buf.String()
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// brokenChecks is the number of case d and e results for the broken
// variants of one corpus file: one per OTLP variant and option set, one per
// pprof variant.
func brokenChecks(t *testing.T) int {
	vs, err := breakage.Variants(fixture.Valid())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(fixture.CorpusDir(t), "pprof", "parca__pkg_query_testdata_two-stacks.pb.gz"))
	if err != nil {
		t.Fatal(err)
	}
	pvs, err := pprofbreak.Variants(data)
	if err != nil {
		t.Fatal(err)
	}
	return 3*len(vs) + len(pvs)
}

func TestRunAllPassExitsZero(t *testing.T) {
	code, out := runScript(t, []string{"a.pb.gz", "b.pb.gz"}, "")
	// 9 checks of cases a and b, 3 of case d, 1 of case e per file, plus the
	// variants of a.
	if want := fmt.Sprintf("%d passed, 0 failed", 26+brokenChecks(t)); code != 0 || lastLine(out) != want {
		t.Fatalf("exit %d, want %q, output:\n%s", code, want, out)
	}
	for _, want := range []string{
		"PASS validate-agrees a.pb.gz [defaults]\n",
		"PASS validate-agrees b.pb.gz [-check-orphans]\n",
		"PASS validate-agrees a.pb.gz/negative-line.pb [-check-dupes]\n",
		"PASS validate-agrees a.pb.gz/invalid-utf8-string.pb [defaults]\n",
		"PASS pprof-validate-agrees a.pb.gz\n",
		"PASS pprof-validate-agrees b.pb.gz\n",
		"PASS pprof-validate-agrees a.pb.gz/duplicate-id-function.pb\n",
		"PASS pprof-validate-agrees a.pb.gz/empty-file.pb\n",
		"PASS pprof-validate-agrees a.pb.gz/control-minimal-profile.pb\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "validate-agrees b.pb.gz/") || strings.Contains(out, "pprof-validate-agrees b.pb.gz/") {
		t.Error("variants of b.pb.gz checked, but only a.pb.gz is a break input")
	}
}

func TestRunCaseDCountsEachDisagreementAndHonoursKnownDifferences(t *testing.T) {
	known := "validate-agrees a.pb.gz/negative-line.pb listed but fine\n" +
		"validate-agrees known-disagree.pb.gz the fake reports an orphan more\n"
	code, out := runScript(t, []string{"a.pb.gz", "disagree.pb.gz", "known-disagree.pb.gz"}, known)
	for _, want := range []string{
		"FAIL validate-agrees disagree.pb.gz [defaults]: verdicts differ: conform finds 0 problems, pprotel 1 profcheck-rule violations (per rule, conform vs pprotel: orphan 0 vs 1)\n" +
			"    pprotel: [orphan] dictionary.string_table[9]: fake\n",
		"FAIL validate-agrees disagree.pb.gz [-check-dupes]: verdicts differ",
		"FAIL validate-agrees disagree.pb.gz [-check-orphans]: verdicts differ",
		"KNOWN validate-agrees known-disagree.pb.gz [-check-orphans]: the fake reports an orphan more [verdicts differ: ",
		"NOTE validate-agrees a.pb.gz/negative-line.pb [defaults] passed but is listed in known-differences.txt (listed but fine); remove the entry\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// 13 per file, less the disagreements; the variants of a.pb.gz pass.
	want := fmt.Sprintf("%d passed, 3 failed", 3*13-6+brokenChecks(t))
	if code != 1 || lastLine(out) != want || !strings.Contains(out, "3 known differences") {
		t.Errorf("exit %d, last line %q, want %q", code, lastLine(out), want)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestRunCaseECountsEachDisagreementAndHonoursKnownDifferences(t *testing.T) {
	known := "pprof-validate-agrees a.pb.gz/control-no-samples.pb listed but fine\n" +
		"pprof-validate-agrees known-pprof-stricter.pb.gz the fake finds it invalid\n"
	code, out := runScript(t, []string{"a.pb.gz", "pprof-stricter.pb.gz", "known-pprof-stricter.pb.gz"}, known)
	for _, want := range []string{
		"FAIL pprof-validate-agrees pprof-stricter.pb.gz: verdicts differ: google/pprof accepts it, pprotel reports 1 violations (unknown-id)\n" +
			"    pprotel: [unknown-id] : fake\n",
		"KNOWN pprof-validate-agrees known-pprof-stricter.pb.gz: the fake finds it invalid [verdicts differ: ",
		"NOTE pprof-validate-agrees a.pb.gz/control-no-samples.pb passed but is listed in known-differences.txt (listed but fine); remove the entry\n",
		"PASS pprof-validate-agrees a.pb.gz/wire-bad-varint.pb\n",
		"PASS pprof-validate-agrees a.pb.gz/strindex-doc-url.pb\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	want := fmt.Sprintf("%d passed, 1 failed", 3*13-2+brokenChecks(t))
	if code != 1 || lastLine(out) != want || !strings.Contains(out, "1 known differences") {
		t.Errorf("exit %d, last line %q, want %q", code, lastLine(out), want)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestRunRefusesABreakInputMissingFromTheCorpus(t *testing.T) {
	src := filepath.Join(fixture.CorpusDir(t), "pprof", "parca__pkg_query_testdata_two-stacks.pb.gz")
	corpus := t.TempDir()
	if err := os.Mkdir(filepath.Join(corpus, "pprof"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, "pprof", "a.pb.gz"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "run.sh", self)
	cmd.Env = append(os.Environ(), fakeEnv+"=1", "PPROTEL_CORPUS="+corpus, "PPROTEL_INTEROP_BREAK=a.pb.gz missing.pb.gz")
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 || !strings.Contains(string(out), "missing.pb.gz, which is not in") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
}

func TestRunCountsFailuresSkipsAndKnownDifferences(t *testing.T) {
	known := "# comment\n\nstring-equal lossy.pb.gz the fake changes a value\ncheck-pprof a.pb.gz listed but fine\n"
	code, out := runScript(t, []string{"a.pb.gz", "fail-otlp.pb.gz", "lossy.pb.gz"}, known)
	for _, want := range []string{
		"NOTE check-pprof a.pb.gz passed but is listed in known-differences.txt (listed but fine); remove the entry\n",
		"FAIL convert-otlp fail-otlp.pb.gz: fake pprotel: ",
		"SKIP convert-pprof fail-otlp.pb.gz: needs convert-otlp\n",
		"SKIP json-agree fail-otlp.pb.gz: needs convert-otlp and convert-otlp-json\n",
		"PASS check-otlp-json fail-otlp.pb.gz\n",
		"KNOWN string-equal lossy.pb.gz: the fake changes a value [",
		"1 known differences (listed in known.txt)\n",
		"SKIP validate-agrees fail-otlp.pb.gz: needs convert-otlp\n",
		"SKIP pdata-json-agrees fail-otlp.pb.gz: needs convert-otlp or pdata-json\n",
		"7 checks skipped because an earlier step failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// a: 13 passed and its variants; fail-otlp: convert-otlp failed, 7
	// skipped, 3 passed (check-otlp-json, and cases b and e of the pprof
	// itself); lossy: string-equal known, 12 passed.
	if want := fmt.Sprintf("%d passed, 1 failed", 28+brokenChecks(t)); code != 1 || lastLine(out) != want {
		t.Errorf("exit %d, last line %q, want %q", code, lastLine(out), want)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestRunShowsTheStringDiffOfAnUnlistedLoss(t *testing.T) {
	code, out := runScript(t, []string{"lossy.pb.gz"}, "")
	if code != 1 || lastLine(out) != fmt.Sprintf("%d passed, 1 failed", 12+brokenChecks(t)) ||
		!strings.Contains(out, "FAIL string-equal lossy.pb.gz: ") || !strings.Contains(out, "\n    - ") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestRunRefusesABadKnownDifferencesFile(t *testing.T) {
	for _, known := range []string{"no-such-check a.pb.gz reason\n", "string-equal a.pb.gz\n"} {
		code, out := runScript(t, []string{"a.pb.gz"}, known)
		if code != 2 || !strings.Contains(out, "run.sh: ") {
			t.Errorf("known %q: exit %d, output:\n%s", known, code, out)
		}
	}
}
