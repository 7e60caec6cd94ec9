package geo

import "math"

// earthRadius is the mean radius of the WGS-84 ellipsoid in metres.
const earthRadius = 6371008.8

// Distance is the great-circle distance between a and b in metres
// (haversine: exact enough for merging reports tens of metres apart).
func Distance(a, b Point) float64 {
	φ1, φ2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dφ := φ2 - φ1
	dλ := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// local is an east/north plane in metres around an origin, good over the
// few hundred metres a camera sees.
type local struct{ origin Point }

func (l local) toXY(p Point) (x, y float64) {
	x = (p.Lon - l.origin.Lon) * math.Pi / 180 * earthRadius * math.Cos(l.origin.Lat*math.Pi/180)
	y = (p.Lat - l.origin.Lat) * math.Pi / 180 * earthRadius
	return x, y
}

func (l local) toPoint(x, y float64) Point {
	return Point{
		Lat: l.origin.Lat + y/earthRadius*180/math.Pi,
		Lon: l.origin.Lon + x/(earthRadius*math.Cos(l.origin.Lat*math.Pi/180))*180/math.Pi,
	}
}
