package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestParseArgsErrors(t *testing.T) {
	cases := []struct {
		kind toolKind
		args []string
		want string
	}{
		{toolSub, []string{"-t", "a", "-q", "3"}, "Invalid QoS given: 3"},
		{toolSub, []string{"-t", "a", "-V", "7"}, "Invalid protocol version argument given"},
		{toolSub, []string{"-t", "a/#/b"}, "Invalid subscription topic 'a/#/b', are all '+' and '#' wildcards correct?"},
		{toolSub, []string{"-t", "a/b+"}, "Invalid subscription topic 'a/b+', are all '+' and '#' wildcards correct?"},
		{toolPub, []string{"-t", "a/+", "-m", "x"}, "Invalid publish topic 'a/+', does it contain '+' or '#'?"},
		{toolSub, []string{"-t", "a", "-Z"}, "Unknown option '-Z'"},
		{toolPub, []string{"-t", "a", "-v"}, "Unknown option '-v'"},
		{toolSub, []string{"-t", "a", "-r"}, "Unknown option '-r'"},
		{toolSub, []string{"-t", "a", "-k", "2"}, "Invalid keepalive given, it must be between 5 and 65535 inclusive"},
		{toolSub, []string{"-t", "a", "-c"}, "You must provide a client id if you are using the -c option"},
		{toolSub, []string{"-t", "a", "-c", "-V", "5"}, "You must provide a client id if you are using an infinite session expiry interval"},
		{toolSub, []string{"-t", "a", "-C", "0"}, "Invalid message count \"0\""},
		{toolSub, []string{"-t", "a", "-W", "0"}, "Invalid timeout \"0\""},
		{toolSub, []string{"-L", "http://x/y"}, "unsupported URL scheme"},
		{toolSub, []string{"-L", "mqtt://localhost"}, "Invalid URL for -L argument specified - topic missing"},
		{toolSub, []string{}, "You must specify a topic to subscribe to"},
		{toolSub, []string{"-t", "a", "-R", "--retained-only"}, "Combining '-R' and '--retained-only' makes no sense"},
		{toolPub, []string{"-t", "a", "-m", "b", "-f", "c"}, "Only one type of message can be sent at once"},
		{toolPub, []string{"-t", "a", "--repeat", "0"}, "--repeat argument must be >0"},
		{toolPub, []string{"-t"}, "-t argument given but no topic specified"},
		{toolPub, []string{"-t", "a", "-D", "connect", "user-property", "a"}, "--property argument given but not enough arguments specified"},
		{toolPub, []string{"-t", "a", "-D", "foo", "bar", "1"}, "Invalid command given in --property argument"},
		{toolPub, []string{"-t", "a", "-D", "connect", "foo", "1"}, "Invalid property name given in --property argument"},
		{toolPub, []string{"-t", "a", "-D", "connect", "content-type", "x"}, "content-type property not allowed for connect in --property argument"},
		{toolPub, []string{"-t", "a", "-D", "connect", "receive-maximum", "70000"}, "Property value (70000) out of range for property receive-maximum"},
		{toolPub, []string{"-t", "a", "--will-payload", "x"}, "Will payload given, but no will topic given"},
		{toolPub, []string{"-t", "a", "-x", "abc"}, "session-expiry-interval not a number"},
		{toolPub, []string{"-t", "a", "-x", "-2"}, "session-expiry-interval out of range"},
		{toolPub, []string{"-t", "a", "-i", "x", "-I", "y"}, "-i and -I argument cannot be used together"},
		{toolSub, []string{"-t", "a", "-F", "%Z"}, "Invalid format specifier 'Z'"},
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, c := range cases {
		_, err := loadClientConfig(c.kind, c.args)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s %q: error %v, want %q", c.kind.name(), c.args, err, c.want)
		}
	}
}

func TestParseArgsValues(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c, err := loadClientConfig(toolSub, []string{"-L", "mqtt://u:p@example.org:1999/a/b", "-t", "c/#",
		"-V", "mqttv5", "-c", "-i", "me", "-D", "subscribe", "user-property", "k", "v", "-x", "-1", "--unix", "/s"})
	if err != nil {
		t.Fatal(err)
	}
	if *c.username != "u" || *c.password != "p" || c.port != 0 || c.unixPath != "/s" || c.version != 5 {
		t.Errorf("URL fields: %+v", c)
	}
	if len(c.topics) != 2 || c.topics[0] != "a/b" || c.topics[1] != "c/#" {
		t.Errorf("topics %q", c.topics)
	}
	if c.expiry != math.MaxUint32 || c.clean {
		t.Errorf("expiry %d clean %v", c.expiry, c.clean)
	}
	if len(c.props) != 1 || c.props[0].key != "k" || c.props[0].value != "v" {
		t.Errorf("props %+v", c.props)
	}
	// -D switches to MQTT 5 on its own, as mosquitto does.
	c, _ = loadClientConfig(toolPub, []string{"-t", "a", "-D", "publish", "content-type", "x"})
	if c.version != 5 {
		t.Errorf("-D left version %d", c.version)
	}
	c, _ = loadClientConfig(toolRR, []string{"-t", "a", "-e", "r"})
	if c.version != 5 || c.msgCount != 1 || c.responseTopic != "r" {
		t.Errorf("rr defaults: %+v", c)
	}
}

func TestOptionsFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	// The rest of the line after the option is one argument, spaces and all.
	content := "# defaults\n-F %t %p\n-p 1999\r\n-v\n"
	if err := os.WriteFile(filepath.Join(dir, "mosquitto_sub"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadClientConfig(toolSub, []string{"-t", "a", "-p", "2000"})
	if err != nil {
		t.Fatal(err)
	}
	if c.print.format != "%t %p" || !c.print.verbose || c.port != 2000 {
		t.Errorf("options file not applied under the command line: %+v", c)
	}
	os.WriteFile(filepath.Join(dir, "mosquitto_sub"), []byte("-v extra\n"), 0o600)
	if _, err := loadClientConfig(toolSub, []string{"-t", "a"}); err == nil || err.Error() != "Unknown option 'extra'" {
		t.Errorf("bad options file line: %v", err)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "/home/someone")
	if got := optionsFilePath(toolPub); got != "/home/someone/.config/mosquitto_pub" {
		t.Errorf("HOME path %q", got)
	}
}
