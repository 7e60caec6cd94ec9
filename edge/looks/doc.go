// Package looks is the edge's global look scheduler: it decides when each
// camera may look (run its detector on a frame, however many inferences
// that look costs), so that a box that cannot keep up degrades fairly.
//
// Every camera asks for a turn when it has a frame. With a free slot the
// turn is granted at once; otherwise the camera waits, and the slot goes
// to the waiting camera that was served least recently, so under overload
// the detector goes round the cameras and each gets an equal share of
// looks rather than some starving behind a lock that favours whoever asks
// again first.
//
// Once a tick the scheduler measures, over a sliding window, how busy the
// slots were (the measured cost of each look) and how many looks each
// camera achieved against its target rate. When the slots are busy nearly
// all the time and the cameras asking get less than they want, the box is
// overloaded: that is logged once when it starts and once when it ends,
// and each camera is told its fair share (max-min fair over the targets)
// so that ingest decodes no more pictures than will be looked at.
package looks
