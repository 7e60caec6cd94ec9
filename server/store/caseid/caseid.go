// Package caseid makes case ids: sortable by creation time, unique across
// server processes (the random part), and checkable (Valid), so that both
// store backends page through cases the same way.
package caseid

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// Gen makes case ids that sort by creation time: 48 bits of Unix
// milliseconds then 80 random bits, in Crockford base32 (26 characters, the
// ULID layout). Within one millisecond the random part counts up, so ids
// from one server are strictly increasing.
type Gen struct {
	mu     sync.Mutex
	lastMS uint64
	hi     uint16 // top 16 of the 80 random bits
	lo     uint64 // low 64
}

// NewGen returns a generator.
func NewGen() *Gen { return &Gen{} }

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Next returns a new id for a case created at now.
func (g *Gen) Next(now time.Time) string {
	g.mu.Lock()
	ms := uint64(now.UnixMilli())
	if ms <= g.lastMS {
		// Same millisecond, or the clock went back: count up from the last.
		ms = g.lastMS
		g.lo++
		if g.lo == 0 {
			g.hi++
		}
	} else {
		var b [10]byte
		_, _ = rand.Read(b[:])
		g.hi = binary.BigEndian.Uint16(b[:2]) >> 1 // leave room to count up
		g.lo = binary.BigEndian.Uint64(b[2:])
		g.lastMS = ms
	}
	hi, lo := g.hi, g.lo
	g.mu.Unlock()

	// 128 bits: ms(48) | hi(16) | lo(64), written as 26 base32 digits
	// (130 bits, the top two always zero).
	var b [16]byte
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	binary.BigEndian.PutUint16(b[6:8], hi)
	binary.BigEndian.PutUint64(b[8:16], lo)
	var out [26]byte
	for i := range out {
		var v byte
		for k := range 5 {
			v <<= 1
			// p is the bit's index in b, most significant first; the two
			// leading bits of the 130 are zero.
			if p := i*5 + k - 2; p >= 0 {
				v |= b[p/8] >> (7 - p%8) & 1
			}
		}
		out[i] = crockford[v]
	}
	return string(out[:])
}

// Valid reports whether id has the form Next gives: 26 Crockford base32
// digits. Cursors carry ids, so this is what keeps a forged cursor out.
func Valid(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !strings.ContainsRune(crockford, rune(id[i])) {
			return false
		}
	}
	return true
}
