package bench

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromiumPath finds Debian's headless-capable browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: apt-get update && apt-get install -y chromium (add it to scripts/deps.sh)")
	return ""
}

// runChromium runs a headless browser on the page with extra flags and
// returns its stdout and stderr.
func runChromium(t *testing.T, bin, page string, extra ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}, extra...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// TestReportRendersInChromium opens the HTML report in headless Chromium:
// the page's own script must find a drawn series in every chart and log
// no error, and a screenshot must show the charts (not a blank page).
func TestReportRendersInChromium(t *testing.T) {
	bin := chromiumPath(t)
	recs := []*Record{sampleRecord("midge", "fanin", 1, 1), sampleRecord("mosquitto", "fanin", 1.7, 2), sampleRecord("midge", "storm", 1.2, 3)}
	page := filepath.Join(t.TempDir(), "report.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, "browser test", recs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	wantCharts := 0
	for _, g := range groupRecords(recs) {
		wantCharts += len(buildCharts(g.recs))
	}

	dom, logs := runChromium(t, bin, page, "--dump-dom", "--virtual-time-budget=5000")
	scriptError := regexp.MustCompile(`data-script-error="[^"]*"`)
	if e := scriptError.FindString(dom); e != "" {
		t.Errorf("the page reported a script error: %s", e)
	}
	if !strings.Contains(dom, `data-report-ready="ok"`) {
		t.Errorf("the page's check did not pass (status: %s)", regexp.MustCompile(`<p id="render-status">[^<]*`).FindString(dom))
	}
	if m := regexp.MustCompile(`data-charts="(\d+)"`).FindStringSubmatch(dom); m == nil || m[1] != strconv.Itoa(wantCharts) {
		t.Errorf("page counted charts %v, want %d", m, wantCharts)
	}
	drawn := regexp.MustCompile(`data-drawn-series="(\d+)"`).FindAllStringSubmatch(dom, -1)
	if len(drawn) != wantCharts {
		t.Errorf("%d charts checked by the page, want %d", len(drawn), wantCharts)
	}
	for _, d := range drawn {
		if d[1] == "0" {
			t.Error("a chart has no drawn series")
		}
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "CONSOLE") && (strings.Contains(line, "Uncaught") || strings.Contains(line, "rror")) {
			t.Errorf("console error: %s", line)
		}
	}

	// The error capture itself works: a page with a broken script is
	// caught.
	broken := filepath.Join(t.TempDir(), "broken.html")
	os.WriteFile(broken, bytes.Replace(b.Bytes(), []byte("</body>"), []byte("<script>notDefined();</script></body>"), 1), 0o644)
	if dom, _ := runChromium(t, bin, broken, "--dump-dom"); !scriptError.MatchString(dom) {
		t.Error("a script error went unnoticed: the check cannot see errors")
	}

	shot := filepath.Join(t.TempDir(), "shot.png")
	runChromium(t, bin, page, "--screenshot="+shot, "--window-size=1280,1800", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colors, nonWhite := pixelVariety(img)
	if colors < 20 || nonWhite < 0.03 {
		t.Errorf("screenshot looks blank: %d colours, %.1f%% non-white pixels", colors, nonWhite*100)
	}
}

// pixelVariety counts distinct colours and the share of pixels that are
// not white.
func pixelVariety(img image.Image) (int, float64) {
	seen := map[uint32]bool{}
	b := img.Bounds()
	var nonWhite, total int
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				nonWhite++
			}
			total++
		}
	}
	return len(seen), float64(nonWhite) / float64(total)
}
