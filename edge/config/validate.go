package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/geo"
)

// ViolationTypes are the rule types the edge knows. demo_linger is not one
// of the four enforced types: it exists so the demo shows cases within a
// minute on a clip of people walking.
var ViolationTypes = []string{"street_vending", "outside_store", "street_laundry", "illegal_structure", "demo_linger"}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

var providerPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

const idAllowed = "1-64 letters, digits, '_', '.', '-', starting with a letter or digit"

// Validate checks every field and returns all problems at once.
func (c *Config) Validate() error {
	var errs conf.Errors
	if !idPattern.MatchString(c.Device.ID) {
		errs.Add("device.id", c.Device.ID, idAllowed)
	}
	if _, err := time.LoadLocation(c.Device.Timezone); err != nil || c.Device.Timezone == "" {
		errs.Add("device.timezone", c.Device.Timezone, "an IANA time zone such as Asia/Shanghai, or Local")
	}
	if c.Device.DataDir == "" {
		errs.Add("device.data_dir", c.Device.DataDir, "a folder path")
	}
	if _, _, err := net.SplitHostPort(c.Server.Address); err != nil {
		errs.Add("server.address", c.Server.Address, "host:port")
	}
	if c.Server.Insecure {
		host, _, _ := net.SplitHostPort(c.Server.Address)
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			errs.Add("server.insecure", true, "true only when server.address is a loopback address; use TLS (server.ca_file) elsewhere")
		}
		if c.Server.CAFile != "" {
			errs.Add("server.ca_file", c.Server.CAFile, "empty when server.insecure is true")
		}
	}
	c.validateTLS(&errs)
	if c.Server.Token != "" && c.Server.TokenFile != "" {
		errs.Add("server.token_file", c.Server.TokenFile, "empty when server.token is set: give one of them")
	}
	if c.Server.TokenFile != "" && c.Server.Token == "" {
		if b, err := os.ReadFile(c.Server.TokenFile); err != nil || len(strings.TrimSpace(string(b))) == 0 {
			errs.Add("server.token_file", c.Server.TokenFile, "a readable file holding the token that `server device add` printed")
		}
	}
	if c.Server.HeartbeatInterval.D() <= 0 {
		errs.Add("server.heartbeat_interval", c.Server.HeartbeatInterval.String(), "a positive duration")
	}
	if c.Server.RetryMin.D() <= 0 || c.Server.RetryMax.D() < c.Server.RetryMin.D() {
		errs.Add("server.retry_max", c.Server.RetryMax.String(), "a duration at least server.retry_min ("+c.Server.RetryMin.String()+"), both positive")
	}
	c.Outbox.validate(&errs)
	if c.Model.Manifest == "" {
		errs.Add("model.manifest", c.Model.Manifest, "path of a model manifest (.yaml)")
	}
	if c.Model.Threads < 0 || c.Model.Threads > 256 {
		errs.Add("model.threads", c.Model.Threads, "0 (runtime default) to 256")
	}
	if !slices.Contains([]string{"", "onnxruntime", "opencv"}, c.Model.Backend) {
		errs.Add("model.backend", c.Model.Backend, "onnxruntime, opencv (empty: the manifest's)")
	}
	// Provider names are checked against the onnxruntime build's list when
	// the model opens; here only their form.
	for i, p := range c.Model.Providers {
		if !providerPattern.MatchString(p) || slices.Contains(c.Model.Providers[:i], p) {
			errs.Add(fmt.Sprintf("model.providers[%d]", i), p, "a provider name not already listed, e.g. cuda, tensorrt, openvino, cpu")
		}
	}
	if !slices.Contains([]string{"", "disable", "basic", "extended", "all"}, c.Model.GraphOptimization) {
		errs.Add("model.graph_optimization", c.Model.GraphOptimization, "disable, basic, extended, all")
	}
	c.Model.validateSwap(&errs)
	c.Recheck.validate(&errs)
	c.validateEnforcement(&errs)
	c.Fleet.validate(&errs)
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		errs.Add("http.listen", c.HTTP.Listen, "host:port")
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		errs.Add("log.level", c.Log.Level, "debug, info, warn, error")
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		errs.Add("log.format", c.Log.Format, "text, json")
	}
	if len(c.Cameras) == 0 {
		errs.Add("cameras", nil, "at least one camera")
	}
	seen := map[string]bool{}
	for i, cam := range c.Cameras {
		p := fmt.Sprintf("cameras[%d]", i)
		if !idPattern.MatchString(cam.ID) {
			errs.Add(p+".id", cam.ID, idAllowed)
		} else if seen[cam.ID] {
			errs.Add(p+".id", cam.ID, "a camera id not used by another camera")
		}
		seen[cam.ID] = true
		validateCamera(&errs, p, cam)
		validateRegionSettings(&errs, p, cam)
		validateTiles(&errs, p, cam, c.Model.ExpectInput)
		validateRingBytes(&errs, p, cam)
	}
	return errs.Err()
}

func validateCamera(errs *conf.Errors, p string, cam Camera) {
	u, err := url.Parse(cam.URL)
	if err != nil || (u.Scheme != "rtsp" && u.Scheme != "rtsps") || u.Host == "" {
		errs.Add(p+".url", redact(cam.URL), "an rtsp:// or rtsps:// URL with a host")
	}
	if cam.Transport != "tcp" && cam.Transport != "udp" {
		errs.Add(p+".transport", cam.Transport, "tcp, udp")
	}
	if cam.DetectFPS <= 0 || cam.DetectFPS > 30 {
		errs.Add(p+".detect_fps", cam.DetectFPS, "a number above 0, at most 30")
	}
	if cam.Stall.D() <= 0 {
		errs.Add(p+".stall_timeout", cam.Stall.String(), "a positive duration")
	}
	if !slices.Contains([]string{"auto", "keyframes", "all"}, cam.DecodeMode) {
		errs.Add(p+".decode_mode", cam.DecodeMode, "auto, keyframes, all")
	}
	if cam.DetectWidth < 0 || cam.DetectWidth > 8192 || (cam.DetectWidth == 0) != (cam.DetectHeight == 0) {
		errs.Add(p+".detect_width", cam.DetectWidth, "1 to 8192 together with detect_height, or 0 and 0 for the camera's size")
	}
	if cam.DetectHeight < 0 || cam.DetectHeight > 8192 {
		errs.Add(p+".detect_height", cam.DetectHeight, "1 to 8192 together with detect_width, or 0 and 0 for the camera's size")
	}
	if cam.RingBuffer.D() < 0 || cam.RingBuffer.D() > 10*time.Minute {
		errs.Add(p+".ring_buffer", cam.RingBuffer.String(), "a duration from 0 (no clips) to 10m")
	} else if rb := cam.RingBuffer.D(); rb > 0 && (cam.Clip.Pre.D() < 0 || cam.Clip.Post.D() < 0 || cam.Clip.Pre.D()+cam.Clip.Post.D() > rb) {
		errs.Add(p+".clip", fmt.Sprintf("pre %v, post %v", cam.Clip.Pre, cam.Clip.Post),
			"pre and post of 0 or more that together fit in ring_buffer ("+cam.RingBuffer.String()+")")
	}
	if cam.Password != "" && cam.Username == "" {
		errs.Add(p+".password", "xxxxx", "empty unless username is set")
	}
	if cam.Username != "" {
		if u, err := url.Parse(cam.URL); err == nil && u.User != nil {
			errs.Add(p+".username", cam.Username, "empty when the url has user:password@ (one or the other)")
		}
	}
	if l := cam.Location; l != nil {
		if l.Lat < -90 || l.Lat > 90 {
			errs.Add(p+".location.lat", l.Lat, "-90 to 90 (WGS-84 degrees)")
		}
		if l.Lon < -180 || l.Lon > 180 {
			errs.Add(p+".location.lon", l.Lon, "-180 to 180 (WGS-84 degrees)")
		}
	}
	if len(cam.Calibration) > 0 {
		if _, err := cam.Homography(); err != nil {
			errs.Add(p+".calibration", fmt.Sprintf("%d points", len(cam.Calibration)),
				"4 or more image↔ground points, not in a line, not repeated ("+err.Error()+")")
		}
	}
	zoneIDs := map[string]bool{}
	for j, z := range cam.Zones {
		zp := fmt.Sprintf("%s.zones[%d]", p, j)
		if !idPattern.MatchString(z.ID) || zoneIDs[z.ID] {
			errs.Add(zp+".id", z.ID, idAllowed+", unique within the camera")
		}
		zoneIDs[z.ID] = true
		validateZoneGeometry(errs, zp, z)
		if len(z.Rules) == 0 {
			errs.Add(zp+".rules", nil, "at least one rule")
		}
		for k, r := range z.Rules {
			validateRule(errs, fmt.Sprintf("%s.rules[%d]", zp, k), r)
		}
	}
}

func validateRule(errs *conf.Errors, p string, r Rule) {
	if !idPattern.MatchString(r.ID) {
		errs.Add(p+".id", r.ID, idAllowed)
	}
	if !slices.Contains(ViolationTypes, r.Type) {
		errs.Add(p+".type", r.Type, fmt.Sprint(ViolationTypes))
	}
	for k, name := range r.Classes {
		if name == "" {
			errs.Add(fmt.Sprintf("%s.classes[%d]", p, k), name, "a detector class name, e.g. umbrella")
		}
	}
	if r.MaxMotion < 0 {
		errs.Add(p+".max_motion", r.MaxMotion, "0 (off) or a positive number of box heights")
	}
	if r.Inertia < 0 || r.Inertia > 100 {
		errs.Add(p+".inertia", r.Inertia, "0 to 100 observations")
	}
	if r.Realert.D() < 0 {
		errs.Add(p+".realert", r.Realert.String(), "a duration of 0 or more")
	}
	if r.Change.Interval.D() <= 0 {
		errs.Add(p+".change.interval", r.Change.Interval.String(), "a positive duration")
	}
	if r.Change.Checks < 1 || r.Change.Checks > 1000 {
		errs.Add(p+".change.checks", r.Change.Checks, "1 to 1000")
	}
	if r.Change.Span.D() < 0 {
		errs.Add(p+".change.span", r.Change.Span.String(), "a duration of 0 or more")
	}
	if r.Change.MinFraction <= 0 || r.Change.MinFraction > 1 {
		errs.Add(p+".change.min_fraction", r.Change.MinFraction, "a fraction of the zone above 0, at most 1")
	}
	for k, h := range r.AllowedHours {
		if _, err := rules.ParseHours(h); err != nil {
			errs.Add(fmt.Sprintf("%s.allowed_hours[%d]", p, k), h, "a daily window HH:MM-HH:MM, e.g. 18:00-22:00")
		}
	}
	if r.MinScore <= 0 || r.MinScore > 1 {
		errs.Add(p+".min_score", r.MinScore, "a number above 0, at most 1")
	}
	if r.Dwell.D() <= 0 {
		errs.Add(p+".dwell", r.Dwell.String(), "a positive duration such as 20s or 5m")
	}
	if r.GapTolerance.D() < 0 {
		errs.Add(p+".gap_tolerance", r.GapTolerance.String(), "a duration of 0 or more")
	}
	if r.Cooldown.D() < 0 {
		errs.Add(p+".cooldown", r.Cooldown.String(), "a duration of 0 or more")
	}
	validateAccumulate(errs, p, r)
}

// redact hides a password in a camera URL before it reaches a log or an
// error message.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func validateZoneGeometry(errs *conf.Errors, zp string, z Zone) {
	pixels := z.Coordinates == "pixels"
	if z.Coordinates != "fraction" && !pixels {
		errs.Add(zp+".coordinates", z.Coordinates, "fraction, pixels")
	}
	if z.Anchor != "bottom_centre" && z.Anchor != "centre" {
		errs.Add(zp+".anchor", z.Anchor, "bottom_centre, centre")
	}
	if z.MinBoxArea < 0 || z.MinBoxArea >= 1 {
		errs.Add(zp+".min_box_area", z.MinBoxArea, "a fraction of the frame from 0 up to, not including, 1")
	}
	checkPolygon(errs, zp+".polygon", z.Polygon, pixels)
	for k, m := range z.Ignore {
		checkPolygon(errs, fmt.Sprintf("%s.ignore[%d]", zp, k), m, pixels)
	}
}

func checkPolygon(errs *conf.Errors, field string, poly [][2]float64, pixels bool) {
	if len(poly) < 3 {
		errs.Add(field, len(poly), "at least 3 points")
		return
	}
	for k, pt := range poly {
		bad := pt[0] < 0 || pt[1] < 0
		if !pixels {
			bad = bad || pt[0] > 1 || pt[1] > 1
		}
		if bad {
			allowed := "x and y as fractions of the frame, 0 to 1"
			if pixels {
				allowed = "x and y in pixels, 0 or more"
			}
			errs.Add(fmt.Sprintf("%s[%d]", field, k), fmt.Sprintf("[%g, %g]", pt[0], pt[1]), allowed)
			return
		}
	}
	if rules.SelfIntersects(Points(poly)) {
		errs.Add(field, "self-intersecting polygon", "a simple polygon whose edges do not cross; list the corners in order around it")
	}
}

// Points converts configured corners to the rules package's points.
func Points(poly [][2]float64) []rules.Point {
	out := make([]rules.Point, len(poly))
	for i, p := range poly {
		out[i] = rules.Point{X: p[0], Y: p[1]}
	}
	return out
}

// Homography fits the camera's calibration; nil without one.
func (c Camera) Homography() (*geo.Homography, error) {
	if len(c.Calibration) == 0 {
		return nil, nil
	}
	pts := make([]geo.Calibration, len(c.Calibration))
	for i, p := range c.Calibration {
		pts[i] = geo.Calibration{X: p.X, Y: p.Y, Ground: geo.Point{Lat: p.Lat, Lon: p.Lon}}
	}
	return geo.NewHomography(pts)
}
