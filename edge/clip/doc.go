// Package clip keeps the last seconds of a camera's compressed video and
// turns a stretch of it into an MP4 file without re-encoding.
//
// A Ring holds access units exactly as the camera sent them, trimmed whole
// GOPs at a time so it always starts at a keyframe. Ring.Clip picks the
// access units from the last keyframe at or before t0-pre to t0+post and
// WriteMP4 remuxes them into a fragmented MP4 (one moov, one moof+mdat)
// that ffprobe reads and browsers play.
//
// Ownership: Push copies nothing; the caller hands the access unit over and
// must not change it afterwards. Clips share the Ring's byte slices, which
// are never modified, so a clip stays valid after the Ring moves on.
package clip
