package decode

// Trim frees everything the decoder holds — reference pictures, the last
// picture, buffer pools, the scaler — until the next Decode, which opens
// it again. For keyframes-only decoding, where every decoded picture
// starts from nothing: between two keyframes a 1080p H.264 decoder would
// otherwise keep several megabytes of pictures per camera that nothing
// will use, and a box of many cameras pays that for each. Reopening costs
// little next to decoding the keyframe (BenchmarkKeyframeTrim prints
// both). Size and BGR see no picture until the next one is decoded.
func (d *Decoder) Trim() {
	if d.closed || d.trimmed {
		return
	}
	d.c.free()
	d.trimmed = true
}

// reopen opens a trimmed decoder again, with its settings.
func (d *Decoder) reopen() error {
	nd, err := New(d.codec)
	if err != nil {
		return err
	}
	d.c, d.trimmed = nd.c, false
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

func hasParamSets(codec Codec, au [][]byte) bool {
	for _, n := range au {
		if paramType(codec, n) >= 0 {
			return true
		}
	}
	return false
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

// withParams is au behind the remembered parameter sets, VPS, SPS, PPS.
func (d *Decoder) withParams(au [][]byte) [][]byte {
	out := make([][]byte, 0, len(au)+3)
	for _, p := range d.params {
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return append(out, au...)
}
