// Package archtest checks the import rules of DESIGN.md on non-test files:
// which of midge's packages may import which, and who may import gnet.
package archtest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const module = "github.com/midge-mqtt/midge"

// rule says which imports a package (by path prefix below the module) may
// have besides the standard library.
type rule struct {
	pkg     string   // package path prefix below the module, "" never matches
	allowed []string // import path prefixes allowed (module-relative when starting with "./")
}

var rules = []rule{
	{"codec", []string{"github.com/valyala/bytebufferpool", "./internal"}},
	{"codec/codectest", []string{"./codec"}}, // golden packets shared by codec and engine tests
	{"matcher", []string{"github.com/valyala/bytebufferpool", "./internal"}},
	{"internal", []string{"github.com/valyala/bytebufferpool", "./internal"}},
	{"engine", []string{"./codec", "./matcher", "./internal", "github.com/panjf2000/gnet/v2", "github.com/valyala/bytebufferpool", "golang.org/x/sys"}},
	{"client", []string{"./codec", "./internal", "github.com/valyala/bytebufferpool"}},
	{"loadgen", []string{"./client", "./codec", "./internal", "github.com/HdrHistogram/hdrhistogram-go", "github.com/valyala/bytebufferpool"}},
	{"profiles", []string{"github.com/klauspost/cpuid/v2"}},
	{"bench/ceiling", []string{"./internal", "github.com/panjf2000/gnet/v2", "golang.org/x/sys"}},
	{"bench", []string{"./loadgen", "./profiles", "./engine", "./client", "./codec", "./internal", "github.com/HdrHistogram/hdrhistogram-go", "golang.org/x/sys"}}, // x/sys: the stall probe pins threads to CPUs
	{"cmd", []string{"./"}}, // cmd may import anything of ours
}

func TestImportRules(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkgPath, imports, _ := strings.Cut(line, "|")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkgPath, module), "/")
		r, ok := ruleFor(rel)
		if !ok {
			t.Errorf("package %s has no import rule: add it to archtest and DESIGN.md", pkgPath)
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			if imp == "" || isStdlib(imp) {
				continue
			}
			if msg := violates(rel, r, imp); msg != "" {
				t.Errorf("%s imports %s: %s", pkgPath, imp, msg)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no package checked")
	}
}

func ruleFor(rel string) (rule, bool) {
	best, found := rule{}, false
	for _, r := range rules {
		if rel == r.pkg || strings.HasPrefix(rel, r.pkg+"/") {
			if !found || len(r.pkg) > len(best.pkg) {
				best, found = r, true
			}
		}
	}
	return best, found
}

func violates(rel string, r rule, imp string) string {
	if strings.HasPrefix(imp, module+"/cmd") {
		return "nothing imports cmd"
	}
	if strings.HasPrefix(imp, module+"/bench") && !strings.HasPrefix(rel, "cmd") && !strings.HasPrefix(rel, "bench") {
		return "only cmd imports bench"
	}
	for _, a := range r.allowed {
		if strings.HasPrefix(a, "./") {
			p := module + "/" + strings.TrimPrefix(a, "./")
			if imp == p || strings.HasPrefix(imp, strings.TrimSuffix(p, "/")+"/") {
				return ""
			}
			continue
		}
		if imp == a || strings.HasPrefix(imp, a+"/") {
			return ""
		}
	}
	if strings.HasPrefix(imp, module) && rel == strings.TrimPrefix(strings.TrimPrefix(imp, module), "/") {
		return ""
	}
	return "not allowed by the import rules in DESIGN.md"
}

// isStdlib reports whether an import path is in the standard library: its
// first element has no dot.
func isStdlib(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

func TestRuleTable(t *testing.T) {
	cases := []struct {
		rel, imp string
		ok       bool
	}{
		{"codec", "github.com/valyala/bytebufferpool", true},
		{"codec", module + "/matcher", false},
		{"codec", "github.com/panjf2000/gnet/v2", false},
		{"engine", "github.com/panjf2000/gnet/v2", true},
		{"client", "github.com/panjf2000/gnet/v2", false},
		{"engine", module + "/bench", false},
		{"cmd/midge", module + "/bench", true},
		{"engine", module + "/cmd/midge", false},
		{"profiles", module + "/engine", false},
		{"bench/ceiling", "github.com/panjf2000/gnet/v2", true},
		{"bench", "github.com/panjf2000/gnet/v2", false},
		{"internal/pool", "github.com/valyala/bytebufferpool", true},
		{"loadgen", module + "/engine", false},
		{"codec/codectest", module + "/codec", true},
		{"codec/codectest", module + "/engine", false},
	}
	for _, c := range cases {
		r, found := ruleFor(c.rel)
		if !found {
			t.Fatalf("no rule for %s", c.rel)
		}
		got := violates(c.rel, r, c.imp) == ""
		if got != c.ok {
			t.Errorf("%s importing %s: allowed=%v, want %v", c.rel, c.imp, got, c.ok)
		}
	}
}
