// Package decode turns compressed H.264 and H.265 access units into pictures with
// libavcodec, and converts only the pictures a caller asks for into BGR
// gocv.Mats with libswscale.
//
// Decoding and conversion are split on purpose: every access unit must be
// decoded to keep the reference chain intact, but a picture needs colour
// conversion (and a new Mat of width*height*3 bytes) only when it is used,
// so a caller that samples a 25 fps stream at 1 fps converts one picture in
// 25. BenchmarkH264Decode and BenchmarkH264BGR print the two costs.
//
// A decoder is not safe for concurrent use; give each stream its own.
package decode
