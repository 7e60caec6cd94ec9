package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// jsonDetection is one detection in --json output; the box is
// [x1, y1, x2, y2] in source pixels.
type jsonDetection struct {
	Class   string     `json:"class"`
	ClassID int        `json:"class_id"`
	Score   float32    `json:"score"`
	Box     [4]float32 `json:"box"`
}

type jsonModel struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Runtime string `json:"runtime"`
}

// jsonResult is the --json output for an image, or one line of it for a
// video frame.
type jsonResult struct {
	Image      string          `json:"image,omitempty"`
	Frame      *int            `json:"frame,omitempty"`
	TimeMs     *float64        `json:"time_ms,omitempty"`
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Model      jsonModel       `json:"model"`
	Detections []jsonDetection `json:"detections"`
}

func toJSON(info vision.ModelInfo, w, h int, dets []vision.Detection) jsonResult {
	r := jsonResult{
		Width: w, Height: h,
		Model:      jsonModel{Name: info.Name, Version: info.Version, SHA256: info.SHA256, Runtime: info.Runtime},
		Detections: make([]jsonDetection, len(dets)),
	}
	for i, d := range dets {
		r.Detections[i] = jsonDetection{Class: d.Class, ClassID: d.ClassID, Score: d.Score,
			Box: [4]float32{d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2}}
	}
	return r
}

func printImage(out io.Writer, f detectFlags, info vision.ModelInfo, w, h int, dets []vision.Detection) error {
	if f.json {
		r := toJSON(info, w, h, dets)
		r.Image = f.image
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	if _, err := fmt.Fprintf(out, "%s: %d detections (%s %s, %s)\n", f.image, len(dets), info.Name, info.Version, info.Runtime); err != nil {
		return err
	}
	return printDetections(out, dets)
}

func printFrame(out io.Writer, asJSON bool, info vision.ModelInfo, frame int, ms float64, w, h int, dets []vision.Detection) error {
	if asJSON {
		r := toJSON(info, w, h, dets)
		r.Frame, r.TimeMs = &frame, &ms
		return json.NewEncoder(out).Encode(r) // one line a frame
	}
	if _, err := fmt.Fprintf(out, "frame %d (%.3f s): %d detections\n", frame, ms/1000, len(dets)); err != nil {
		return err
	}
	return printDetections(out, dets)
}

func printDetections(out io.Writer, dets []vision.Detection) error {
	for _, d := range dets {
		if _, err := fmt.Fprintf(out, "  %-14s %.3f  [%.1f %.1f %.1f %.1f]\n",
			d.Class, d.Score, d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2); err != nil {
			return err
		}
	}
	return nil
}
