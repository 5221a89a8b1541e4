package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/client"
	"github.com/midge-mqtt/midge/client/clienttest"
)

// Formats exercising every -F token that does not depend on the clock,
// with widths, padding, precision and escapes.
var compareFormats = []string{
	`%t|%p|%q|%r|%l|%m|%x|%X|%%|%A|%C|%D|%E|%F|%P|%R|%S`,
	`[%10t][%-10t][%.3t][%8.2t][%5p][%-5p][%05p][%20p][%-20p][%5x][%-7X][%07X][%5l][%-5l][%05l][%3q][%4m][%05E][%-4F][%3S][%6C][%-6R][%3A][%5D]`,
	`\t%t\\\n\a\e\r\v\0%p@@`,
	`%-p|%-x|%-3l|`,
	// Clock tokens: compared after the times are replaced by placeholders.
	`%I %U %j`,
	`%J`,
}

// compareMessages are published once and printed by every subscriber.
func compareMessages() []*client.Message {
	pfi, exp := byte(1), uint32(3600)
	long := strings.Repeat("0123456789abcdef", 20)
	return []*client.Message{
		{Topic: "cmp/a", Payload: []byte("hello world")},
		{Topic: "cmp/b/c", QoS: 1},
		{Topic: "cmp/bin", Payload: []byte{0, 1, 0xff, 0x7f, 'A'}, QoS: 2},
		{Topic: "cmp/props", Payload: []byte(`{"k": [1, 2], "s": "x"}`), QoS: 1, Properties: client.PublishProperties{
			PayloadFormat: &pfi, MessageExpiry: &exp, ContentType: "application/json", ResponseTopic: "cmp/resp",
			CorrelationData: []byte("corr-1"),
			UserProperties:  []client.UserProperty{{Key: "u1", Value: "v1"}, {Key: "u2", Value: "v 2"}}}},
		{Topic: "cmp/ret", Payload: []byte("retained!"), Retain: true},
		{Topic: "cmp/long", Payload: []byte(long), QoS: 2},
		{Topic: "cmp/esc", Payload: []byte("a\tb\"c\\d\n")},
	}
}

var clockPatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"tst":\s*"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z[+-]\d{4}"`), `"tst":<TST>`},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}`), `<ISO8601>`},
	{regexp.MustCompile(`\d{10}\.\d{9}`), `<UNIX>`},
}

func normaliseClock(s string) string {
	for _, p := range clockPatterns {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

// TestSubOutputMatchesMosquittoSub runs midge sub and mosquitto_sub side
// by side with the same options, publishes the same messages once, and
// compares what they print byte for byte.
func TestSubOutputMatchesMosquittoSub(t *testing.T) {
	for _, name := range clienttest.Brokers {
		t.Run(name, func(t *testing.T) {
			b := clienttest.Start(t, name, clienttest.Config{})
			env := isolatedEnv(t)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			pub, _, err := client.Dial(ctx, client.Options{Address: b.Addr(), Version: client.V5, CleanStart: true})
			if err != nil {
				t.Fatal(err)
			}
			defer pub.Close()
			// A retained marker tells the test each subscriber is subscribed.
			if err := pub.Publish(ctx, &client.Message{Topic: "cmp/0marker", Payload: []byte(`"0marker"`), QoS: 1, Retain: true}); err != nil {
				t.Fatal(err)
			}
			msgs := compareMessages()
			count := fmt.Sprint(len(msgs) + 1)
			type variant struct {
				name string
				args []string
			}
			var variants []variant
			for _, v := range []string{"311", "5"} {
				base := []string{"-h", b.Host, "-p", fmt.Sprint(b.Port), "-t", "cmp/#", "-q", "2", "-C", count, "-W", "30", "-V", v}
				if v == "5" {
					base = append(base, "-D", "subscribe", "subscription-identifier", "7")
				}
				variants = append(variants,
					variant{"v" + v + "/default", base},
					variant{"v" + v + "/-v", append(base[:len(base):len(base)], "-v")},
					variant{"v" + v + "/-v-N", append(base[:len(base):len(base)], "-v", "-N")},
					variant{"v" + v + "/pretty", append(base[:len(base):len(base)], "-F", "%j", "--pretty")},
				)
				for i, f := range compareFormats {
					variants = append(variants, variant{fmt.Sprintf("v%s/F%d", v, i), append(base[:len(base):len(base)], "-F", f)})
				}
			}
			type pair struct{ midge, mosq *liveTool }
			pairs := make([]pair, len(variants))
			for i, v := range variants {
				pairs[i] = pair{
					startTool(t, env, toolArgv(t, "midge", "sub", v.args...)...),
					startTool(t, env, toolArgv(t, "mosquitto", "sub", v.args...)...),
				}
			}
			for _, p := range pairs {
				p.midge.waitFor(t, "0marker")
				p.mosq.waitFor(t, "0marker")
			}
			for _, m := range msgs {
				if err := pub.Publish(ctx, m); err != nil {
					t.Fatal(err)
				}
				// mosquitto_sub prints a QoS 2 message when PUBREL arrives;
				// a pause keeps the printing order the publishing order.
				time.Sleep(50 * time.Millisecond)
			}
			for i, p := range pairs {
				mc, sc := p.midge.wait(t), p.mosq.wait(t)
				got, want := normaliseClock(p.midge.stdout()), normaliseClock(p.mosq.stdout())
				if got != want || mc != sc {
					t.Errorf("%s: midge sub (exit %d) and mosquitto_sub (exit %d) differ:\nmidge:     %q\nmosquitto: %q",
						variants[i].name, mc, sc, got, want)
				}
			}
		})
	}
}

// TestClockTokensForm checks the tokens whose value is the time of
// receipt: their form, and that they print the current time.
func TestClockTokensForm(t *testing.T) {
	b := clienttest.Start(t, "mosquitto", clienttest.Config{})
	env := isolatedEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pub, _, err := client.Dial(ctx, client.Options{Address: b.Addr(), CleanStart: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Publish(ctx, &client.Message{Topic: "clock", Payload: []byte("tick"), Retain: true, QoS: 1}); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	r := runTool(t, env, "", toolArgv(t, "midge", "sub", "-p", fmt.Sprint(b.Port), "-t", "clock", "-C", "1",
		"-F", `%I|%U|@Y-@m-@d @H:@M:@S.@N|@s|@@|%j|%J`)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	form := regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4})\|(\d+)\.\d{9}\|(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d{9}\|(\d+)\|@\|` +
		`\{"tst":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z[+-]\d{4}","topic":"clock","qos":0,"retain":1,"payloadlen":4,"payload":"tick"\}\|\n$`)
	mm := form.FindStringSubmatch(r.stdout)
	if mm == nil {
		t.Fatalf("clock tokens not in form: %q (stderr %q)", r.stdout, r.stderr)
	}
	iso, err := time.Parse("2006-01-02T15:04:05-0700", mm[1])
	if err != nil || iso.Before(before.Add(-2*time.Second)) || iso.After(time.Now().Add(2*time.Second)) {
		t.Errorf("%%I = %s is not the time of receipt (%v)", mm[1], err)
	}
	if mm[2] != mm[4] && atoi(mm[4])-atoi(mm[2]) > 1 {
		t.Errorf("%%U seconds %s and @s %s disagree", mm[2], mm[4])
	}
	// %J with a payload that is not JSON prints nothing for the token and
	// says so on stderr, as mosquitto_sub does.
	if !strings.Contains(r.stderr, "Error: Message payload is not valid JSON on topic clock.") {
		t.Errorf("%%J on non-JSON payload: stderr %q", r.stderr)
	}
}

// TestStrftimeTokensMatchMosquittoSub compares every '@' conversion (to
// the minute, in two time zones) with mosquitto_sub's; a run that straddles
// a minute is retried.
func TestStrftimeTokensMatchMosquittoSub(t *testing.T) {
	b := clienttest.Start(t, "mosquitto", clienttest.Config{})
	port := fmt.Sprint(b.Port)
	dir := t.TempDir()
	if r := runTool(t, []string{"XDG_CONFIG_HOME=" + dir}, "", toolArgv(t, "mosquitto", "pub", "-p", port, "-t", "tm", "-m", "x", "-r")...); r.code != 0 {
		t.Fatal(r.stderr)
	}
	format := `@Q|@E|@a|@A|@b|@B|@C|@d|@D|@e|@F|@g|@G|@h|@j|@k|@l|@m|@n|@p|@P|@R|@t|@u|@U|@V|@w|@W|@x|@y|@Y|@z|@Z|@%|@@|%I`
	for _, tz := range []string{"UTC", "Asia/Kolkata"} {
		env := []string{"XDG_CONFIG_HOME=" + dir, "TZ=" + tz}
		args := []string{"-p", port, "-t", "tm", "-C", "1", "-F", format}
		var m, q toolResult
		for range 3 {
			m = runTool(t, env, "", toolArgv(t, "midge", "sub", args...)...)
			q = runTool(t, env, "", toolArgv(t, "mosquitto", "sub", args...)...)
			if m.stdout == q.stdout {
				break
			}
		}
		if m.stdout != q.stdout {
			t.Errorf("TZ=%s:\nmidge:     %q\nmosquitto: %q", tz, m.stdout, q.stdout)
		}
	}
}
