package passwd

import (
	"strings"
	"testing"
)

// Hashes written by Debian's mosquitto_passwd 2.0.11 (-b alice secret, and
// -H sha512 -b dave x).
const (
	mosquittoPBKDF2 = "$7$101$PitV8KWtl6SSEBw5$hoe5098DA+5CMLODyROMu6mZa6t4+wnR2qauk8YfTFjY59QWW739xVwJpoxIAq/6bS/cwG8Nf6UU+ES4Q5SITg=="
	mosquittoSHA512 = "$6$QN2LA/NTKDyMIErq$0L3+OOlLyBQvqQWWQN3fzd/3UhYRxcRSIs0LxA8phoU0X54lx8WIuzwDvgfzQH4IuWCUsGz/nEUsLMLntGoFsw=="
)

func TestVerifyMosquittoHashes(t *testing.T) {
	cases := []struct {
		hash, pw string
		want     bool
	}{
		{mosquittoPBKDF2, "secret", true},
		{mosquittoPBKDF2, "Secret", false},
		{mosquittoPBKDF2, "", false},
		{mosquittoSHA512, "x", true},
		{mosquittoSHA512, "y", false},
	}
	for _, c := range cases {
		got, err := Verify(c.hash, c.pw)
		if err != nil || got != c.want {
			t.Errorf("Verify(%.12s…, %q) = %v, %v; want %v", c.hash, c.pw, got, err, c.want)
		}
	}
}

func TestHashReproducesMosquittoHash(t *testing.T) {
	// Same salt and iterations must give the byte-identical string.
	parts := strings.Split(mosquittoPBKDF2, "$")
	salt := mustB64(t, parts[3])
	got, err := HashWithSalt("secret", salt, SHA512PBKDF2, 101)
	if err != nil || got != mosquittoPBKDF2 {
		t.Fatalf("HashWithSalt = %q, %v; want %q", got, err, mosquittoPBKDF2)
	}
	parts = strings.Split(mosquittoSHA512, "$")
	got, err = HashWithSalt("x", mustB64(t, parts[2]), SHA512, 0)
	if err != nil || got != mosquittoSHA512 {
		t.Fatalf("HashWithSalt sha512 = %q, %v; want %q", got, err, mosquittoSHA512)
	}
}

func TestHashFormat(t *testing.T) {
	h, err := Hash("pw", SHA512PBKDF2)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	// "", "7", "101", salt, key
	if len(parts) != 5 || parts[1] != "7" || parts[2] != "101" {
		t.Fatalf("hash %q not in $7$101$salt$key form", h)
	}
	if n := len(mustB64(t, parts[3])); n != SaltLen {
		t.Errorf("salt length %d, want %d", n, SaltLen)
	}
	if n := len(mustB64(t, parts[4])); n != 64 {
		t.Errorf("key length %d, want 64", n)
	}
	h2, _ := Hash("pw", SHA512PBKDF2)
	if h == h2 {
		t.Error("two hashes of the same password share a salt")
	}
	if ok, err := Verify(h, "pw"); !ok || err != nil {
		t.Errorf("Verify of own hash = %v, %v", ok, err)
	}
	if _, err := Hash("pw", "md5"); err == nil {
		t.Error("unknown algorithm accepted")
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$7$", "$7$abc$AAAA$AAAA", "$7$0$AAAA$AAAA", "$7$101$!!$AAAA",
		"$7$101$AAAA$", "$6$AAAA", "$6$!!$AAAA", "$5$x$y"} {
		if ok, err := Verify(h, "pw"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformed", h, ok, err)
		}
	}
}

func TestFileEditing(t *testing.T) {
	in := "# users\nalice:" + mosquittoPBKDF2 + "\n\nbob:plain\n"
	f, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Bytes()) != in {
		t.Fatalf("round trip changed the file:\n%s", f.Bytes())
	}
	if !f.Check("alice", "secret") || f.Check("alice", "nope") || f.Check("carol", "secret") {
		t.Error("Check gave a wrong answer")
	}
	f.Set("carol", "h1")
	f.Set("bob", "h2")
	if !f.Delete("alice") || f.Delete("alice") {
		t.Error("Delete result wrong")
	}
	want := "# users\n\nbob:h2\ncarol:h1\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("after edits:\n%q\nwant\n%q", got, want)
	}
	if _, err := Parse(strings.NewReader("nocolon\n")); err == nil {
		t.Error("line without ':' accepted")
	}
}
