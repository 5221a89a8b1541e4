package bench

import (
	"context"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSpawnRefusesAnAddressInUse(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Spawn(context.Background(), "sleep 5", l.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("err = %v", err)
	}
}

func TestSpawnReportsABrokerThatExits(t *testing.T) {
	start := time.Now()
	_, err := Spawn(context.Background(), "echo cannot bind; exit 3", freeAddr(t))
	if err == nil || !strings.Contains(err.Error(), "cannot bind") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("exit noticed late")
	}
}

func TestSpawnRaisesTheOpenFileLimitAndStops(t *testing.T) {
	tg := startMosquitto(t)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	got, err := childOpenFileLimit(tg.PID)
	if err != nil {
		t.Fatal(err)
	}
	if got != lim.Max {
		t.Errorf("broker's open-file limit %d, want the hard limit %d", got, lim.Max)
	}
	if err := tg.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", tg.Info.Address, 200*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("broker still listening after Stop")
	}
}
