package place

import (
	"fmt"
	"math"
)

// metresPerDegree is one degree of latitude (and of longitude at the
// equator), in metres.
const metresPerDegree = 111195.0

// bucketDeg is the index's bucket edge: about 200 m, so that a search of
// a few hundred metres reads a handful of buckets.
const bucketDeg = 0.002

// maxSegmentBuckets: a segment spanning more buckets than this (a long
// straight highway drawn with two points) is kept in a list every search
// reads, rather than in thousands of buckets.
const maxSegmentBuckets = 4096

type feature struct {
	name  string
	lines [][][2]float64 // [longitude, latitude]
}

// segment is a piece of a feature's line; a point is a segment whose ends
// are the same.
type segment struct {
	a, b [2]float64
	feat int
}

// Streets finds the nearest named street or POI of a position. It is
// read-only after Parse and safe for concurrent use.
type Streets struct {
	names   []string
	segs    []segment
	buckets map[[2]int32][]int32
	long    []int32
}

func bucketOf(lon, lat float64) [2]int32 {
	return [2]int32{int32(math.Floor(lon / bucketDeg)), int32(math.Floor(lat / bucketDeg))}
}

func newStreets(feats []feature) *Streets {
	s := &Streets{buckets: map[[2]int32][]int32{}}
	for fi, f := range feats {
		s.names = append(s.names, f.name)
		for _, l := range f.lines {
			if len(l) == 1 {
				s.add(segment{l[0], l[0], fi})
			}
			for i := 1; i < len(l); i++ {
				s.add(segment{l[i-1], l[i], fi})
			}
		}
	}
	return s
}

func (s *Streets) add(g segment) {
	i := int32(len(s.segs))
	s.segs = append(s.segs, g)
	lo := bucketOf(min(g.a[0], g.b[0]), min(g.a[1], g.b[1]))
	hi := bucketOf(max(g.a[0], g.b[0]), max(g.a[1], g.b[1]))
	if (int64(hi[0])-int64(lo[0])+1)*(int64(hi[1])-int64(lo[1])+1) > maxSegmentBuckets {
		s.long = append(s.long, i)
		return
	}
	for x := lo[0]; x <= hi[0]; x++ {
		for y := lo[1]; y <= hi[1]; y++ {
			k := [2]int32{x, y}
			s.buckets[k] = append(s.buckets[k], i)
		}
	}
}

// Nearest returns the name of the nearest feature within maxMetres of the
// WGS-84 position and its distance in metres; ok false for none.
func (s *Streets) Nearest(lat, lon, maxMetres float64) (name string, metres float64, ok bool) {
	if s == nil || math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 85 || maxMetres <= 0 {
		return "", 0, false
	}
	kx := metresPerDegree * math.Cos(lat*math.Pi/180) // metres per degree of longitude here
	dLat, dLon := maxMetres/metresPerDegree, maxMetres/kx
	lo, hi := bucketOf(lon-dLon, lat-dLat), bucketOf(lon+dLon, lat+dLat)
	best, bestD := -1, math.Inf(1)
	try := func(i int32) {
		g := s.segs[i]
		if d := segDist(lon, lat, g, kx); d < bestD {
			best, bestD = g.feat, d
		}
	}
	if (int64(hi[0])-int64(lo[0])+1)*(int64(hi[1])-int64(lo[1])+1) <= 1<<16 {
		for x := lo[0]; x <= hi[0]; x++ {
			for y := lo[1]; y <= hi[1]; y++ {
				for _, i := range s.buckets[[2]int32{x, y}] {
					try(i)
				}
			}
		}
	}
	for _, i := range s.long {
		try(i)
	}
	if best < 0 || bestD > maxMetres {
		return "", 0, false
	}
	return s.names[best], bestD, true
}

// segDist is the distance in metres from (lon, lat) to the segment, on a
// plane tangent at the position: exact enough over a few hundred metres.
func segDist(lon, lat float64, g segment, kx float64) float64 {
	ax, ay := (g.a[0]-lon)*kx, (g.a[1]-lat)*metresPerDegree
	bx, by := (g.b[0]-lon)*kx, (g.b[1]-lat)*metresPerDegree
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// Describe is how a nearest feature reads on a case: "南京东路附近 约 35
// 米", the distance rounded to 5 m (a camera's position is no better).
func Describe(name string, metres float64) string {
	r := int(math.Round(metres/5) * 5)
	if r < 5 {
		return name + "附近"
	}
	return fmt.Sprintf("%s附近 约 %d 米", name, r)
}
