package engine

import (
	"runtime"
	"strconv"
)

// publishSys publishes the $SYS topics as retained messages, as mosquitto
// does every sys_interval, plus $SYS/broker/heap/current.
func (b *Broker) publishSys() {
	emit := func(topic string, payload []byte) {
		b.publishLocal(topic, payload, 0, true)
	}
	b.stats.st.SysChanged(b.opts.Now(), emit)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	emit("$SYS/broker/heap/current", strconv.AppendUint(nil, ms.HeapInuse, 10))
}
