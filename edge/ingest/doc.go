// Package ingest pulls video from RTSP cameras and hands sampled pictures to
// the detector.
//
// One Camera per stream. Its Run connects with gortsplib, decodes every
// access unit (edge/decode), converts only the pictures picked by the
// DetectFPS sampler to BGR, and offers them on Frames. It reconnects with
// capped, jittered back-off when the connection fails or no picture arrives
// for StallTimeout, and returns when its context ends.
//
// Ownership: a Frame's Image belongs to whoever receives it from Frames and
// must be closed by them. A frame that is replaced before anyone receives it
// is closed by the Camera and counted as dropped. When Run returns, Frames is
// closed and no unreceived Mat is left behind.
package ingest
