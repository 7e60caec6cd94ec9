package decode

// Trim lets go of everything the decoder holds — reference pictures, the
// last picture, the scaler — until the next Decode, which opens it again.
// For keyframes-only decoding, where every decoded picture starts from
// nothing: between two keyframes a 1080p H.264 decoder would otherwise
// keep several megabytes of pictures per camera that nothing will use, and
// a box of many cameras pays that for each. The libavcodec context itself
// is flushed and parked for the next keyframe of any camera (idle.go), so
// reopening costs little next to decoding the keyframe
// (BenchmarkKeyframeTrim prints both). Size and BGR see no picture until
// the next one is decoded.
func (d *Decoder) Trim() {
	if d.closed || d.trimmed {
		return
	}
	park(d.codec, d.c)
	// An empty codec answers "no picture" and "closed" like a freed one.
	d.c, d.trimmed = &codec{name: d.c.name}, true
}

// reopen opens a trimmed decoder again, with its settings, for a keyframe
// whose parameter sets are key (paramsKey; "" when it lacks some): with a
// parked context that last decoded with exactly those (idle.go), else a
// new one.
func (d *Decoder) reopen(key string) error {
	var c *codec
	if key != "" {
		c = unpark(d.codec, key)
	}
	if c != nil {
		reused.Add(1)
	} else {
		nd, err := New(d.codec)
		if err != nil {
			return err
		}
		c = nd.c
		opened.Add(1)
	}
	d.c, d.trimmed = c, false
	d.c.setSkipLoopFilter(d.intraOnly)
	return nil
}

// paramType says whether a NAL unit is a parameter set, and which
// (0: VPS, 1: SPS, 2: PPS); -1 for any other unit.
func paramType(codec Codec, nalu []byte) int {
	if len(nalu) == 0 {
		return -1
	}
	if codec == H265 {
		if t := int(nalu[0]>>1) & 0x3f; t >= 32 && t <= 34 {
			return t - 32
		}
		return -1
	}
	switch nalu[0] & 0x1f {
	case 7:
		return 1
	case 8:
		return 2
	}
	return -1
}

// hasAllParams says whether au carries every parameter set a keyframe of
// codec needs: SPS and PPS, and a VPS for H.265.
func hasAllParams(codec Codec, au [][]byte) bool {
	var seen [3]bool
	for _, n := range au {
		if t := paramType(codec, n); t >= 0 {
			seen[t] = true
		}
	}
	return seen[1] && seen[2] && (codec != H265 || seen[0])
}

// noteParams remembers the parameter sets in au (copies: the caller's
// buffers are reused).
func (d *Decoder) noteParams(au [][]byte) {
	for _, n := range au {
		if t := paramType(d.codec, n); t >= 0 {
			d.params[t] = append(d.params[t][:0], n...)
		}
	}
}

// withParams is au behind the remembered parameter sets of the kinds it
// lacks, in the order VPS, SPS, PPS; au itself when it lacks none or
// none is remembered.
func (d *Decoder) withParams(au [][]byte) [][]byte {
	var has [3]bool
	for _, n := range au {
		if t := paramType(d.codec, n); t >= 0 {
			has[t] = true
		}
	}
	var out [][]byte
	for t, p := range d.params {
		if len(p) > 0 && !has[t] {
			out = append(out, p)
		}
	}
	if out == nil {
		return au
	}
	return append(out, au...)
}
