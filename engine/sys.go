package engine

// publishSys publishes the $SYS topics as retained messages, as mosquitto
// does every sys_interval: only the values that changed since the last time.
func (b *Broker) publishSys() {
	b.stats.st.SysChanged(b.opts.Now(), func(topic string, payload []byte) {
		b.publishLocal(topic, payload, 0, true)
	})
}
