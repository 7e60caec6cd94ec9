package ingest

import (
	"fmt"
	"math"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// checkNumbers reports the report's numbers that no camera can produce:
// NaN and ±Inf anywhere (PostgreSQL stores ±Inf and then every JSON answer
// that contains the case fails to encode), positions off the globe,
// negative dwell and scores outside 0..1.
func checkNumbers(r *xiuhuav1.ViolationReport) []string {
	var problems []string
	add := func(p string) {
		if p != "" {
			problems = append(problems, p)
		}
	}
	if d := r.DwellSeconds; !finite(d) || d < 0 {
		add(fmt.Sprintf("dwell_seconds %v: allowed a finite number of seconds, 0 or more", d))
	}
	add(checkPoint("location", r.Location))
	add(checkPoint("object_location", r.ObjectLocation))
	add(checkScore("best_score", r.BestScore))
	add(checkScore("mean_score", r.MeanScore))
	for i, d := range r.Detections {
		add(checkScore(fmt.Sprintf("detections[%d].score", i), d.GetScore()))
		if b := d.GetBox(); b != nil {
			for _, v := range []float32{b.X, b.Y, b.Width, b.Height} {
				if !finite(float64(v)) {
					add(fmt.Sprintf("detections[%d].box: %v is not a finite number", i, v))
					break
				}
			}
		}
	}
	return problems
}

// checkPoint reports a point that is not on the globe, or "" (nil is fine).
func checkPoint(field string, p *xiuhuav1.GeoPoint) string {
	if p == nil {
		return ""
	}
	if !finite(p.Lat) || p.Lat < -90 || p.Lat > 90 || !finite(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return fmt.Sprintf("%s (%v, %v): allowed lat -90 to 90 and lon -180 to 180", field, p.Lat, p.Lon)
	}
	return ""
}

func checkScore(field string, v float32) string {
	if f := float64(v); !finite(f) || f < 0 || f > 1 {
		return fmt.Sprintf("%s %v: allowed 0 to 1", field, v)
	}
	return ""
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
