// Tests of run.sh: it is driven with a stand-in pprotel (this test binary,
// re-executed) whose behaviour per corpus file is known, so that the
// counting, skipping, known-differences and exit-code rules are checked
// without the real pprotel.
package interop_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/pdata/pprofile"
	"google.golang.org/protobuf/proto"

	"github.com/pprotel/pprotel/interop/internal/fixture"
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
// sample value changed.
func fakePprotel(args []string) int {
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

// runScript runs run.sh with the fake pprotel over a corpus holding one copy
// of a real corpus profile per given name, and the given known differences.
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
	cmd.Env = append(os.Environ(), fakeEnv+"=1", "PPROTEL_CORPUS="+corpus, "PPROTEL_INTEROP_KNOWN="+knownFile, "TMPDIR="+tmp)
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

func TestRunAllPassExitsZero(t *testing.T) {
	code, out := runScript(t, []string{"a.pb.gz", "b.pb.gz"}, "")
	if code != 0 || lastLine(out) != "16 passed, 0 failed" {
		t.Fatalf("exit %d, output:\n%s", code, out)
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
		"5 checks skipped because an earlier step failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// a: 8 passed; fail-otlp: convert-otlp failed, 5 skipped, 2 passed;
	// lossy: string-equal known, 7 passed.
	if code != 1 || lastLine(out) != "17 passed, 1 failed" {
		t.Errorf("exit %d, last line %q", code, lastLine(out))
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestRunShowsTheStringDiffOfAnUnlistedLoss(t *testing.T) {
	code, out := runScript(t, []string{"lossy.pb.gz"}, "")
	if code != 1 || lastLine(out) != "7 passed, 1 failed" ||
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
