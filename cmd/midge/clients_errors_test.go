package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midge-mqtt/midge/client/clienttest"
	"github.com/midge-mqtt/midge/internal/passwd"
)

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// TestErrorsMatchMosquitto runs the same failing command lines through
// midge and mosquitto's clients and compares the exit code and the error
// line.
func TestErrorsMatchMosquitto(t *testing.T) {
	env := isolatedEnv(t)
	closedPort := fmt.Sprint(clienttest.FreePort(t))
	cases := []struct {
		tool string
		args []string
	}{
		{"sub", []string{"-p", closedPort, "-t", "a"}},
		{"pub", []string{"-p", closedPort, "-t", "a", "-m", "x"}},
		{"sub", []string{"-h", "nonexistent.invalid", "-t", "a"}},
		{"sub", []string{"-t", "a", "-q", "3"}},
		{"sub", []string{"-t", "a", "-V", "7"}},
		{"sub", []string{"-t", "a/#/b"}},
		{"pub", []string{"-t", "a/+", "-m", "x"}},
		{"sub", []string{"-t", "a", "-Z"}},
		{"sub", []string{}},
		{"sub", []string{"-t", "a", "-k", "2"}},
		{"sub", []string{"-t", "a", "-c"}},
		{"sub", []string{"-t", "a", "-C", "0"}},
		{"sub", []string{"-t", "a", "-W", "0"}},
		{"sub", []string{"-t", "a", "-F", "%Z"}},
		{"sub", []string{"-t", "a", "-F", "%5"}},
		{"sub", []string{"-t", "a", "-F", `\q`}},
		{"sub", []string{"-L", "http://x/y"}},
		{"sub", []string{"-L", "mqtt://localhost"}},
		{"pub", []string{"-t", "a", "-m", "b", "-f", "c"}},
		{"pub", []string{"-t", "a"}},
		{"pub", []string{"-t", "a", "-m", "x", "--repeat", "0"}},
		{"pub", []string{"-t", "a", "-m", "x", "-D", "connect", "content-type", "x"}},
		{"pub", []string{"-t", "a", "-m", "x", "-D", "connect", "receive-maximum", "70000"}},
		{"pub", []string{"-t", "a", "-m", "x", "-D", "bogus", "content-type", "x"}},
		{"pub", []string{"-p", closedPort, "-t", "a", "-f", "/nonexistent/file"}},
		{"pub", []string{"-p", closedPort, "-t", "a", "-m", "x", "-P", "pw"}},
		{"pub", []string{"-t", "a", "-m", "x", "--will-payload", "p"}},
		{"rr", []string{"-t", "a", "-m", "x"}},
	}
	for _, c := range cases {
		m := runTool(t, env, "", toolArgv(t, "midge", c.tool, c.args...)...)
		q := runTool(t, env, "", toolArgv(t, "mosquitto", c.tool, c.args...)...)
		if m.code != q.code || firstLine(m.stderr) != firstLine(q.stderr) {
			t.Errorf("%s %q:\nmidge:     exit %d %q\nmosquitto: exit %d %q", c.tool, c.args, m.code, firstLine(m.stderr), q.code, firstLine(q.stderr))
		}
	}
}

// TestTimeoutAndRefusalMatchMosquitto needs a broker: -W expiry and
// refused logins.
func TestTimeoutAndRefusalMatchMosquitto(t *testing.T) {
	dir := t.TempDir()
	pwfile := filepath.Join(dir, "pw")
	h, _ := passwd.Hash("secret", passwd.SHA512PBKDF2)
	os.WriteFile(pwfile, []byte("alice:"+h+"\n"), 0o600)
	b := clienttest.Start(t, "mosquitto", clienttest.Config{PasswordFile: pwfile})
	env := isolatedEnv(t)
	port := fmt.Sprint(b.Port)
	cases := []struct {
		tool string
		args []string
	}{
		{"sub", []string{"-p", port, "-t", "a", "-u", "alice", "-P", "secret", "-W", "1"}},
		{"rr", []string{"-p", port, "-t", "a", "-e", "b", "-m", "x", "-u", "alice", "-P", "secret", "-W", "1"}},
		{"sub", []string{"-p", port, "-t", "a", "-u", "alice", "-P", "bad"}},
		{"sub", []string{"-p", port, "-t", "a", "-u", "alice", "-P", "bad", "-V", "5"}},
		{"sub", []string{"-p", port, "-t", "a", "-V", "31"}},
		{"pub", []string{"-p", port, "-t", "a", "-m", "x", "-u", "alice", "-P", "bad"}},
		{"pub", []string{"-p", port, "-t", "a", "-m", "x", "-u", "alice", "-P", "bad", "-V", "5"}},
		{"pub", []string{"-p", port, "-t", "a", "-m", "x", "-u", "alice", "-P", "secret"}},
	}
	for _, c := range cases {
		m := runTool(t, env, "", toolArgv(t, "midge", c.tool, c.args...)...)
		q := runTool(t, env, "", toolArgv(t, "mosquitto", c.tool, c.args...)...)
		if m.code != q.code || m.stderr != q.stderr {
			t.Errorf("%s %q:\nmidge:     exit %d %q\nmosquitto: exit %d %q", c.tool, c.args, m.code, m.stderr, q.code, q.stderr)
		}
	}
}

// TestPasswordFilesInterchange: a file written by midge passwd works as
// mosquitto's password_file, and one written by mosquitto_passwd verifies
// in internal/passwd.
func TestPasswordFilesInterchange(t *testing.T) {
	dir := t.TempDir()
	env := isolatedEnv(t)
	ours := filepath.Join(dir, "ours")
	for _, args := range [][]string{{"-c", "-b", ours, "alice", "secret"}, {"-b", ours, "bob", "hunter2"}, {"-b", ours, "carol", "x"}} {
		if r := runTool(t, env, "", toolArgv(t, "midge", "passwd", args...)...); r.code != 0 {
			t.Fatalf("midge passwd %q: exit %d %s", args, r.code, r.stderr)
		}
	}
	if r := runTool(t, env, "", toolArgv(t, "midge", "passwd", "-D", ours, "carol")...); r.code != 0 {
		t.Fatalf("midge passwd -D: %d %s", r.code, r.stderr)
	}
	b := clienttest.Start(t, "mosquitto", clienttest.Config{PasswordFile: ours})
	port := fmt.Sprint(b.Port)
	login := func(user, pw string) int {
		return runTool(t, env, "", toolArgv(t, "mosquitto", "pub", "-p", port, "-t", "a", "-m", "x", "-u", user, "-P", pw)...).code
	}
	if login("alice", "secret") != 0 || login("bob", "hunter2") != 0 {
		t.Error("mosquitto refused a password written by midge passwd")
	}
	if login("alice", "wrong") != 5 || login("carol", "x") != 5 {
		t.Error("mosquitto accepted a wrong or deleted password")
	}

	theirs := filepath.Join(dir, "theirs")
	runTool(t, env, "", toolArgv(t, "mosquitto", "passwd", "-c", "-b", theirs, "dave", "s3cret")...)
	runTool(t, env, "", toolArgv(t, "mosquitto", "passwd", "-H", "sha512", "-b", theirs, "erin", "old-style")...)
	f, err := os.Open(theirs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := passwd.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if !pf.Check("dave", "s3cret") || !pf.Check("erin", "old-style") || pf.Check("dave", "S3cret") {
		t.Error("hashes written by mosquitto_passwd did not verify")
	}

	// -U converts a plain-text file in place, as mosquitto_passwd -U does.
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("frank:pw1\n"), 0o600)
	if r := runTool(t, env, "", toolArgv(t, "midge", "passwd", "-U", plain)...); r.code != 0 {
		t.Fatalf("-U: %d %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(plain)
	if ok, err := passwd.Verify(strings.TrimPrefix(strings.TrimSpace(string(data)), "frank:"), "pw1"); !ok || err != nil {
		t.Errorf("-U result %q does not verify", data)
	}
	// Same failures, same messages and codes as mosquitto_passwd.
	for _, args := range [][]string{{"-b", filepath.Join(dir, "missing"), "u", "p"}, {"-b", ours, "a:b", "p"},
		{"-c", "-D", ours, "u"}, {"-H", "md5", "-b", ours, "u", "p"}, {"-D", ours, "nobody"}} {
		m := runTool(t, env, "", toolArgv(t, "midge", "passwd", args...)...)
		q := runTool(t, env, "", toolArgv(t, "mosquitto", "passwd", args...)...)
		if m.code != q.code || m.stderr != q.stderr {
			t.Errorf("passwd %q: midge %d %q, mosquitto %d %q", args, m.code, m.stderr, q.code, q.stderr)
		}
	}
}

// TestOptionsFileSharedWithMosquitto: the same per-user defaults file
// drives both programs.
func TestOptionsFileSharedWithMosquitto(t *testing.T) {
	b := clienttest.Start(t, "mosquitto", clienttest.Config{})
	dir := t.TempDir()
	env := []string{"XDG_CONFIG_HOME=" + dir}
	os.WriteFile(filepath.Join(dir, "mosquitto_pub"), []byte(fmt.Sprintf("-p %d\n-q 1\n", b.Port)), 0o600)
	os.WriteFile(filepath.Join(dir, "mosquitto_sub"), []byte(fmt.Sprintf("# defaults\n-p %d\n-F %%t %%q %%p\n", b.Port)), 0o600)
	for _, program := range []string{"midge", "mosquitto"} {
		if r := runTool(t, env, "", toolArgv(t, program, "pub", "-t", "opt/"+program, "-m", "hi", "-r")...); r.code != 0 {
			t.Fatalf("%s pub with options file: %d %s", program, r.code, r.stderr)
		}
	}
	for _, program := range []string{"midge", "mosquitto"} {
		r := runTool(t, env, "", toolArgv(t, program, "sub", "-t", "opt/#", "-q", "1", "-C", "2", "-W", "5")...)
		if r.stdout != "opt/midge 1 hi\nopt/mosquitto 1 hi\n" {
			t.Errorf("%s sub with options file printed %q (exit %d %s)", program, r.stdout, r.code, r.stderr)
		}
	}
}
