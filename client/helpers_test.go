package client_test

import (
	"os"
	"testing"

	"github.com/midge-mqtt/midge/internal/passwd"
)

func writePasswordFile(t *testing.T, path, user, pw string) {
	t.Helper()
	h, err := passwd.Hash(pw, passwd.SHA512PBKDF2)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(user+":"+h+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
