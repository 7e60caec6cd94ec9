// Package audio prepares the voice warnings an edge box plays on site
// (先劝导): it reads the WAV files operators provide (any common rate, 8 to
// 32-bit PCM or 32-bit float, mono or stereo), resamples them to the 8 kHz
// mono that telephone-grade camera speakers take, and encodes G.711 (PCMU,
// PCMA). Everything happens in Go at load time, so a bad file is a config
// error, not a surprise at the moment of a violation.
package audio
