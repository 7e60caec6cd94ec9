// Package regions plans which parts of a camera's picture the detector
// looks at, and merges what it finds there back into one list.
//
// A street camera is 1920×1080 and the model's input is about 416×416:
// letterboxing the whole frame shrinks every object 4.6×, and a stall of
// 100 pixels becomes 22. The zones say where violations can be, so the
// detector looks there at the camera's own resolution: each zone's bounding
// box, padded (more above, where an object standing on the zone's far edge
// reaches), merged with the others where they overlap, clipped to the
// frame, and cut into overlapping tiles of the model's input size when it is
// larger than 1.5 times that size. Merge puts the tiles' detections
// together without duplicates at the seams.
//
// The package is pure Go and knows nothing of pictures: the pipeline cuts
// the tiles and runs the model; the config checks that the zones fit in
// the camera's tile budget.
package regions
