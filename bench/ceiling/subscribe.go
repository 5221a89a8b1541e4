package ceiling

// subscribe adds each filter of a SUBSCRIBE body to the index and answers
// with a SUBACK granting every requested QoS.
func (lp *loop) subscribe(c *rconn, body []byte) {
	if len(body) < 2 {
		return
	}
	id, rest := body[:2], body[2:]
	if c.version == 5 {
		var ok bool
		if rest, ok = skipProperties(rest); !ok {
			return
		}
	}
	var codes [64]byte
	granted := codes[:0]
	askedVersion := false
	for len(rest) > 0 {
		filter, after, ok := prefixed(rest)
		if !ok || len(after) == 0 {
			break
		}
		opts := after[0]
		rest = after[1:]
		lp.r.ix.add(filter, c)
		c.filters = append(c.filters, string(filter))
		granted = append(granted, opts&3) // [MQTT-3.9.3-1] one code per filter, in order
		askedVersion = askedVersion || string(filter) == versionTopic
	}
	length := 2 + len(granted)
	if c.version == 5 {
		length++ // empty properties
	}
	c.ctrl = appendVarint(append(c.ctrl, 0x90), length)
	c.ctrl = append(c.ctrl, id...)
	if c.version == 5 {
		c.ctrl = append(c.ctrl, 0)
	}
	c.ctrl = append(c.ctrl, granted...)
	if askedVersion {
		c.ctrl = appendVersionPublish(c.ctrl, c.version)
	}
	c.markDirty()
}

// unsubscribe drops each filter of an UNSUBSCRIBE body and answers with
// UNSUBACK.
func (lp *loop) unsubscribe(c *rconn, body []byte) {
	if len(body) < 2 {
		return
	}
	id, rest := body[:2], body[2:]
	if c.version == 5 {
		var ok bool
		if rest, ok = skipProperties(rest); !ok {
			return
		}
	}
	n := 0
	for len(rest) > 0 {
		filter, after, ok := prefixed(rest)
		if !ok {
			break
		}
		rest = after
		lp.r.ix.remove(filter, c)
		for i, f := range c.filters {
			if f == string(filter) {
				c.filters = append(c.filters[:i], c.filters[i+1:]...)
				break
			}
		}
		n++
	}
	if c.version == 5 {
		c.ctrl = appendVarint(append(c.ctrl, 0xb0), 3+n)
		c.ctrl = append(append(c.ctrl, id...), 0)
		for ; n > 0; n-- {
			c.ctrl = append(c.ctrl, 0) // success
		}
	} else {
		c.ctrl = append(append(c.ctrl, 0xb0, 2), id...)
	}
	c.markDirty()
}

// appendVersionPublish appends a QoS 0 PUBLISH of versionPayload on
// versionTopic, so a harness that asks the broker's name learns that it
// measures the ceiling.
func appendVersionPublish(out []byte, version byte) []byte {
	length := 2 + len(versionTopic) + len(versionPayload)
	if version == 5 {
		length++
	}
	out = appendVarint(append(out, 0x30), length)
	out = append(out, 0, byte(len(versionTopic)))
	out = append(out, versionTopic...)
	if version == 5 {
		out = append(out, 0)
	}
	return append(out, versionPayload...)
}

// appendVarint appends n as an MQTT variable byte integer.
func appendVarint(out []byte, n int) []byte {
	for {
		b := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}
