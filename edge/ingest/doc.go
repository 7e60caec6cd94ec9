// Package ingest pulls video from RTSP cameras (H.264 or H.265, over TCP or
// UDP) and from files, and hands sampled BGR pictures to the detector.
//
// One Camera per stream. Its Run connects with gortsplib and passes each
// access unit through one path (au.go): into the compressed ring buffer
// for clips (when Config.RingDuration is set), keyframe-interval
// measurement, then the decoder (edge/decode) — every unit, or with
// keyframes-only decoding only the keyframes the detect rate needs, the
// others never reaching libavcodec. The pictures picked by the DetectFPS
// sampler are converted to BGR at Config.Width x Height in the same
// swscale pass and offered on Frames; with Config.Pictures the decoded
// picture itself is offered (a reference, in the decoder's YUV), for a
// receiver that converts only the parts it looks at. Run reconnects with capped, jittered
// back-off when the connection fails or nothing arrives for StallTimeout,
// and returns when its context ends.
//
// Decode mode (Config.DecodeMode): "auto" decodes keyframes only when the
// detect rate is at or below the keyframe rate measured from the stream,
// "keyframes" and "all" force it. The choice is made at each keyframe, so
// the decoder always switches at a clean point.
//
// A FileSource plays a file through OpenCV behind the same Source
// interface, for tests and offline analysis.
//
// Ownership: a Frame's Image belongs to whoever receives it from Frames and
// must be closed by them. A frame that is replaced before anyone receives it
// is closed by the Camera and counted as dropped, so a slow detector never
// holds up ingest and each camera holds at most one undelivered picture.
// When Run returns, Frames is closed and no unreceived Mat is left behind.
// Clips (Camera.Clip) share no memory with the running camera.
package ingest
