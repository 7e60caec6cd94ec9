package app

import (
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/uplink"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/internal/geo"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func ingestConfig(c config.Camera) ingest.Config {
	return ingest.Config{
		ID:           c.ID,
		URL:          c.URL,
		Transport:    c.Transport,
		DetectFPS:    c.DetectFPS,
		StallTimeout: c.Stall.D(),
		Username:     c.Username,
		Password:     c.Password,
		Width:        c.DetectWidth,
		Height:       c.DetectHeight,
		// At the camera's resolution the pipeline converts only what a
		// look needs (its regions at the model's input size) from the
		// decoded picture, rather than a whole BGR picture per look.
		Pictures:     c.DetectWidth == 0,
		DecodeMode:   ingest.DecodeMode(c.DecodeMode),
		RingDuration: c.RingBuffer.D(),
	}
}

func uplinkConfig(cfg config.Config) uplink.Config {
	return uplink.Config{
		ServerAddr: cfg.Server.Address,
		TLS: uplink.TLSConfig{CAFile: cfg.Server.CAFile, ServerName: cfg.Server.ServerName,
			CertFile: cfg.Server.CertFile, KeyFile: cfg.Server.KeyFile, Insecure: cfg.Server.Insecure},
		DeviceID:          cfg.Device.ID,
		Token:             cfg.Server.Token,
		TokenFile:         cfg.Server.TokenFile,
		RetryMin:          cfg.Server.RetryMin.D(),
		RetryMax:          cfg.Server.RetryMax.D(),
		HeartbeatInterval: cfg.Server.HeartbeatInterval.D(),
	}
}

func newChain(cfg config.Config, c config.Camera, cam *ingest.Camera, det pipeline.Detector, ob *outbox.Outbox,
	logger *slog.Logger, m *pipeline.Metrics) *pipeline.Camera {
	zones, maxGap := zoneRules(c, timezone(cfg))
	return &pipeline.Camera{
		Source: evidence.Source{
			DeviceID: cfg.Device.ID,
			CameraID: c.ID,
			Location: geoPoint(c.Location),
			Ground:   ground(c),
			Model:    det.Info(),
		},
		Frames:   cam.Frames(),
		Detector: det,
		// The tracker must keep an unseen object at least as long as any
		// rule tolerates a gap, or it would come back under a new id and
		// start its dwell again.
		Tracker:   track.New(maxGap),
		Rules:     rules.NewEngine(zones),
		Annotator: annotator(logger, timezone(cfg)),
		Clips:     clipper(c, cam),
		ClipPre:   c.Clip.Pre.D(),
		ClipPost:  c.Clip.Post.D(),
		Changes:   changeWatches(c, zones, cfg.Device.DataDir),
		Sink:      ob,
		Log:       logger.With("component", "pipeline", "camera", c.ID),
		Metrics:   m,
	}
}

func geoPoint(p *config.GeoPoint) *xiuhuav1.GeoPoint {
	if p == nil {
		return nil
	}
	return &xiuhuav1.GeoPoint{Lat: p.Lat, Lon: p.Lon}
}

func hello(cfg config.Config, id *identity.Identity, m vision.ModelInfo) *xiuhuav1.Hello {
	host, _ := os.Hostname()
	h := &xiuhuav1.Hello{
		DeviceId:        cfg.Device.ID,
		SoftwareVersion: version(),
		Hostname:        host,
		PublicKey:       id.PublicKey(),
		Models:          []*xiuhuav1.ModelRef{{Name: m.Name, Version: m.Version, Sha256: m.SHA256}},
	}
	for _, c := range cfg.Cameras {
		h.Cameras = append(h.Cameras, &xiuhuav1.CameraInfo{Id: c.ID, Name: c.Name, Location: geoPoint(c.Location)})
	}
	return h
}

func heartbeat(cams []*ingest.Camera, ids []string, ob *outbox.Outbox) *xiuhuav1.Heartbeat {
	n, bytes, age := ob.Stats()
	full, detail, _ := ob.DiskFull()
	hb := &xiuhuav1.Heartbeat{
		SentAt:                 timestamppb.Now(),
		OutboxPending:          int64(n),
		OutboxOldestAgeSeconds: age.Seconds(),
		OutboxBytes:            bytes,
		DiskFull:               full,
		DiskFullDetail:         detail,
	}
	for i, c := range cams {
		st := c.Status()
		hb.Cameras = append(hb.Cameras, &xiuhuav1.CameraStatus{
			CameraId:      ids[i],
			State:         cameraState(st.State),
			LastError:     st.LastError,
			FramesDecoded: st.FramesDecoded,
		})
	}
	return hb
}

// withLooks fills each camera's frames_detected: the frames its chain's
// detector has looked at (a look with several tiles counts once).
func withLooks(hb *xiuhuav1.Heartbeat, chains []*pipeline.Camera) *xiuhuav1.Heartbeat {
	for i, cs := range hb.Cameras {
		if i < len(chains) && chains[i] != nil {
			cs.FramesDetected = chains[i].Looks()
		}
	}
	return hb
}

func cameraState(s ingest.State) xiuhuav1.CameraState {
	switch s {
	case ingest.StateConnecting:
		return xiuhuav1.CameraState_CAMERA_STATE_CONNECTING
	case ingest.StateStreaming:
		return xiuhuav1.CameraState_CAMERA_STATE_STREAMING
	case ingest.StateRetrying:
		return xiuhuav1.CameraState_CAMERA_STATE_RETRYING
	}
	return xiuhuav1.CameraState_CAMERA_STATE_UNSPECIFIED
}

// version is the module version stamped by the Go toolchain, or the VCS
// revision for a development build.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return "devel"
}

// ground is the camera's image→ground mapping, validated at load.
func ground(c config.Camera) *geo.Homography {
	h, err := c.Homography()
	if err != nil {
		return nil
	}
	return h
}

// annotator loads the font for Chinese labels on the evidence; without it
// the labels are English only, which is worth a warning but not a refusal
// to start.
func annotator(logger *slog.Logger, loc *time.Location) evidence.Annotator {
	l, err := evidence.NewLabeler(20, evidence.DefaultFont, evidence.LatinFont)
	if err != nil {
		logger.Warn("no Chinese labels on evidence (install fonts-droid-fallback)", "err", err)
		return evidence.Annotator{Location: loc}
	}
	return evidence.Annotator{Labeler: l, Location: loc}
}

// clipper is the camera's ring buffer, when it keeps one.
func clipper(c config.Camera, cam *ingest.Camera) pipeline.Clipper {
	if c.RingBuffer.D() <= 0 {
		return nil
	}
	return cam
}
