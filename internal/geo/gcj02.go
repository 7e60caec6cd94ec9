// Package geo holds the geodesy both binaries need: distances, the GCJ-02
// offset that Chinese web maps expect, and the homography that maps a
// camera's image to the ground.
//
// Positions are stored in WGS-84 everywhere; GCJ-02 is an output format
// only, for AMap, Tencent and other maps licensed in China.
package geo

import "math"

// Point is a WGS-84 (or, where said, GCJ-02) position in degrees.
type Point struct{ Lat, Lon float64 }

// Krasovsky 1940 ellipsoid, on which the GCJ-02 offset is defined.
const (
	krasovskyA  = 6378245.0
	krasovskyEE = 0.00669342162296594323
)

// InChina reports whether p lies in the rectangle where GCJ-02 applies;
// outside it the offset is zero by definition.
func InChina(p Point) bool {
	return p.Lon >= 72.004 && p.Lon <= 137.8347 && p.Lat >= 0.8293 && p.Lat <= 55.8271
}

// ToGCJ02 converts a WGS-84 position to GCJ-02.
func ToGCJ02(p Point) Point {
	if !InChina(p) {
		return p
	}
	dLat, dLon := offset(p)
	return Point{Lat: p.Lat + dLat, Lon: p.Lon + dLon}
}

// FromGCJ02 converts a GCJ-02 position back to WGS-84. The forward
// transform has no closed inverse; a few fixed-point steps reach
// centimetres.
func FromGCJ02(g Point) Point {
	if !InChina(g) {
		return g
	}
	w := g
	for range 10 {
		f := ToGCJ02(w)
		w.Lat -= f.Lat - g.Lat
		w.Lon -= f.Lon - g.Lon
	}
	return w
}

func offset(p Point) (dLat, dLon float64) {
	x, y := p.Lon-105, p.Lat-35
	dLat = -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLon = 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	wave := (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	dLat += wave + (20*math.Sin(y*math.Pi)+40*math.Sin(y/3*math.Pi))*2/3 +
		(160*math.Sin(y/12*math.Pi)+320*math.Sin(y*math.Pi/30))*2/3
	dLon += wave + (20*math.Sin(x*math.Pi)+40*math.Sin(x/3*math.Pi))*2/3 +
		(150*math.Sin(x/12*math.Pi)+300*math.Sin(x/30*math.Pi))*2/3

	rad := p.Lat / 180 * math.Pi
	magic := 1 - krasovskyEE*math.Sin(rad)*math.Sin(rad)
	sq := math.Sqrt(magic)
	dLat = dLat * 180 / ((krasovskyA * (1 - krasovskyEE)) / (magic * sq) * math.Pi)
	dLon = dLon * 180 / (krasovskyA / sq * math.Cos(rad) * math.Pi)
	return dLat, dLon
}
