// Package sim is the library behind the camsim command: it serves video
// files as RTSP cameras. It transcodes any input once to H.264 in MPEG-TS
// (cached), then streams the access units paced by their timestamps, looping
// forever with continuous RTP timestamps, to any number of clients. Every
// stream also offers an ONVIF audio back channel (G.711) and keeps what
// clients play into it (Server.Recordings), as a camera's speaker would
// sound it.
//
// Tests use it in-process to get a real RTSP camera on loopback.
package sim
