// Package warn plays voice warnings on site (先劝导、后立案): through the
// camera's own speaker over the RTSP ONVIF back channel (BackChannel), or
// through a standalone IP speaker driven by an HTTP request (HTTPSpeaker).
// Both are a Player; the caller (the warn-first flow) picks one per camera
// and falls back to filing a case when a warning cannot be played.
package warn
