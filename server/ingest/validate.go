package ingest

import (
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc/codes"

	"github.com/xiuhua/xiuhua/server/store"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// maxIDLen bounds ids and names an edge sends.
const maxIDLen = 128

// checkText reports what is wrong with an identifier-like string, or "".
func checkText(field, v string, required bool) string {
	switch {
	case v == "" && required:
		return field + " is required"
	case len(v) > maxIDLen:
		return fmt.Sprintf("%s is %d bytes, at most %d allowed", field, len(v), maxIDLen)
	case !utf8.ValidString(v):
		return field + " is not valid UTF-8"
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return fmt.Sprintf("%s %q contains control characters", field, v)
	}
	return ""
}

// validateReport checks the report's own fields; validateEvidence its
// evidence declarations.
func validateReport(r *xiuhuav1.ViolationReport) error {
	var problems []string
	add := func(p string) {
		if p != "" {
			problems = append(problems, p)
		}
	}
	add(checkText("event_id", r.GetEventId(), true))
	add(checkText("device_id", r.GetDeviceId(), true))
	add(checkText("camera_id", r.GetCameraId(), true))
	add(checkText("zone_id", r.GetZoneId(), false))
	add(checkText("rule_id", r.GetRuleId(), false))
	add(checkText("violation_type", r.GetViolationType(), true))
	if r.ObservedAt == nil {
		add("observed_at is required")
	} else if err := r.ObservedAt.CheckValid(); err != nil {
		add("observed_at: " + err.Error())
	}
	if r.StartedAt != nil {
		if err := r.StartedAt.CheckValid(); err != nil {
			add("started_at: " + err.Error())
		}
	}
	problems = append(problems, checkNumbers(r)...)
	add(warnProblem(r))
	if len(problems) > 0 {
		return refuse(codes.InvalidArgument, reasonInvalidReport, "invalid report %q: %s", r.GetEventId(), strings.Join(problems, "; "))
	}
	return nil
}

func (s *Service) validateEvidence(r *xiuhuav1.ViolationReport) error {
	var problems []string
	if n := len(r.Evidence); n > s.opts.MaxEvidenceFiles {
		problems = append(problems, fmt.Sprintf("%d evidence files, at most %d allowed", n, s.opts.MaxEvidenceFiles))
	}
	seen := map[string]bool{}
	for i, f := range r.Evidence {
		field := fmt.Sprintf("evidence[%d]", i)
		if p := checkText(field+".name", f.GetName(), true); p != "" {
			problems = append(problems, p)
		} else if seen[f.Name] {
			problems = append(problems, fmt.Sprintf("%s.name %q is declared twice", field, f.Name))
		}
		seen[f.GetName()] = true
		if f.Size < 0 || f.Size > s.opts.MaxEvidenceBytes {
			problems = append(problems, fmt.Sprintf("evidence %q: size %d, allowed 0 to %d", f.Name, f.Size, s.opts.MaxEvidenceBytes))
		}
		if !isHexSHA256(f.Sha256) {
			problems = append(problems, fmt.Sprintf("evidence %q: sha256 %q is not 64 hex digits", f.Name, f.Sha256))
		}
		if f.ContentType != "" {
			if _, _, err := mime.ParseMediaType(f.ContentType); err != nil {
				problems = append(problems, fmt.Sprintf("evidence %q: content_type %q: %v", f.Name, f.ContentType, err))
			}
		}
	}
	if len(problems) > 0 {
		return refuse(codes.InvalidArgument, reasonInvalidEvidence, "invalid evidence in report %q: %s", r.EventId, strings.Join(problems, "; "))
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

func evidenceKind(k xiuhuav1.EvidenceKind) string {
	switch k {
	case xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT:
		return store.KindSnapshot
	case xiuhuav1.EvidenceKind_EVIDENCE_KIND_ANNOTATED:
		return store.KindAnnotated
	case xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP:
		return store.KindClip
	case xiuhuav1.EvidenceKind_EVIDENCE_KIND_BEFORE_AFTER:
		return store.KindBeforeAfter
	case xiuhuav1.EvidenceKind_EVIDENCE_KIND_AFTER_GRACE:
		return store.KindAfterGrace
	case xiuhuav1.EvidenceKind_EVIDENCE_KIND_UNSPECIFIED:
		return store.KindUnspecified
	default:
		return fmt.Sprintf("kind_%d", int32(k))
	}
}

func contentType(ct string) string {
	t, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(t, params)
}

// toStore converts a validated report whose evidence is all stored.
func toStore(r *xiuhuav1.ViolationReport, signed []byte, verified bool) *store.Report {
	out := &store.Report{
		EventID:       r.EventId,
		DeviceID:      r.DeviceId,
		CameraID:      r.CameraId,
		ZoneID:        r.ZoneId,
		RuleID:        r.RuleId,
		ViolationType: r.ViolationType,
		ObservedAt:    r.ObservedAt.AsTime(),
		DwellSeconds:  r.DwellSeconds,
		Model: store.ModelRef{
			Name:    r.GetModel().GetName(),
			Version: r.GetModel().GetVersion(),
			SHA256:  r.GetModel().GetSha256(),
		},
		FrameWidth:        int(r.FrameWidth),
		FrameHeight:       int(r.FrameHeight),
		Signature:         r.Signature,
		Signed:            signed,
		SignatureVerified: verified,
	}
	if r.StartedAt != nil {
		out.StartedAt = r.StartedAt.AsTime()
	}
	if r.Location != nil {
		out.Location = &store.GeoPoint{Lat: r.Location.Lat, Lon: r.Location.Lon}
	}
	for _, d := range r.Detections {
		out.Detections = append(out.Detections, store.Detection{
			ClassName: d.ClassName,
			Score:     d.Score,
			X:         d.GetBox().GetX(),
			Y:         d.GetBox().GetY(),
			Width:     d.GetBox().GetWidth(),
			Height:    d.GetBox().GetHeight(),
			TrackID:   d.TrackId,
		})
	}
	for _, f := range r.Evidence {
		out.Evidence = append(out.Evidence, store.Evidence{
			Name:        f.Name,
			Kind:        evidenceKind(f.Kind),
			ContentType: contentType(f.ContentType),
			Size:        f.Size,
			SHA256:      strings.ToLower(f.Sha256),
		})
	}
	out.Warn = toWarn(r)
	return out
}
