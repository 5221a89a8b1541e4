package mosqconf

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics and that every failure is an
// *Error with a position. include_dir never touches the file system here.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"listener 1883\nmax_connections 10\n",
		"listener 0 /run/midge.sock\n",
		"listener 0\n",
		"persistent_client_expiration 1\n",
		"persistent_client_expiration y\n",
		"max_keepalive \n",
		"per_listener_settings true\nallow_anonymous false\n",
		"connection b\naddress h:1\ntopic # both 2 \"\" r/\nrestart_timeout 5 1\n",
		"plugin_opt_x 1\n",
		"plugin p\nplugin_opt_ \n",
		"log_dest file\n",
		"include_dir /nonexistent\n",
		"\tport\t1883\r\n",
		"mount_point \xff\n",
		"listener 1 #\nmount_point a/#\n",
	} {
		f.Add(seed)
	}
	data, err := os.ReadFile("testdata/realistic.conf")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Fuzz(func(t *testing.T, conf string) {
		p := &parser{cfg: newConfig(), open: openFile,
			readDir: func(string) ([]fs.DirEntry, error) { return nil, fs.ErrNotExist }}
		c, err := p.run(strings.NewReader(conf), "fuzz.conf")
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Line < 1 || ce.File != "fuzz.conf" {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if len(c.Listeners) == 0 {
			t.Fatal("no listener after a successful parse")
		}
	})
}
