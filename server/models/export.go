package models

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// Dataset formats.
const (
	FormatYOLO = "yolo"
	FormatCOCO = "coco"
)

// Splits of a dataset.
const (
	SplitTrain = "train"
	SplitVal   = "val"
)

// ConfirmedStatuses are the case statuses whose detections officers
// confirmed (filed and every step after); RejectedStatuses those they
// judged false positives. Pending cases are nobody's word yet.
var (
	ConfirmedStatuses = []string{cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling,
		cases.StatusReported, cases.StatusVerified, cases.StatusClosed}
	RejectedStatuses = []string{cases.StatusRejected}
)

// ExportStore is the part of the database the export reads.
type ExportStore interface {
	TrainingReports(ctx context.Context, statuses []string, afterID int64, limit int) ([]store.TrainingReport, error)
}

// BlobOpener opens evidence content; blob.Store implements it.
type BlobOpener interface {
	Open(ctx context.Context, sha256 string) (blob.Object, error)
}

// ExportOptions configure a dataset export.
type ExportOptions struct {
	Format string // FormatYOLO or FormatCOCO
	// ValFraction is the share of cameras in the validation split; default
	// 0.2. With two cameras or more, each split has at least one.
	ValFraction float64
	Metrics     *Metrics
	Now         func() time.Time
}

// ExportStats says what an export wrote.
type ExportStats struct {
	Images    int `json:"images"`
	Positives int `json:"positives"` // images with boxes (confirmed cases)
	Negatives int `json:"negatives"` // images without (rejected cases, suppressed repeats)
	Boxes     int `json:"boxes"`
	// Skipped reports had no snapshot, or one that is missing or unreadable.
	Skipped      int      `json:"skipped"`
	Classes      []string `json:"classes"`
	TrainCameras []string `json:"train_cameras"`
	ValCameras   []string `json:"val_cameras"`
}

// sample is one image of the dataset.
type sample struct {
	rep      store.TrainingReport
	snapshot store.Evidence
	camera   string // device/camera: the same id on two boxes is two cameras
	negative bool
	file     string // base name in images/<split>/
}

// pageSize is how many reports one store call returns; tests make it
// small to cross pages.
var pageSize = 500

// ExportDataset writes rejected and confirmed cases' snapshots with their
// boxes to w as a zip in the YOLO or COCO layout, split into train and val
// by camera, so that no camera's frames are in both. Confirmed cases give
// their detections as labels; rejected cases and suppressed repeats are
// negatives (images without boxes), so a retrained model learns the city's
// own false positives. Reports without a readable snapshot are skipped and
// counted.
func ExportDataset(ctx context.Context, st ExportStore, blobs BlobOpener, opts ExportOptions, w io.Writer) (ExportStats, error) {
	var stats ExportStats
	if opts.Format != FormatYOLO && opts.Format != FormatCOCO {
		return stats, fmt.Errorf("format: invalid value %q: allowed: %s, %s: %w", opts.Format, FormatYOLO, FormatCOCO, ErrInvalid)
	}
	if opts.ValFraction <= 0 || opts.ValFraction >= 1 {
		opts.ValFraction = 0.2
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// Two passes over the reports, a page at a time: the first finds the
	// cameras (for the split) and classes, the second writes each image as
	// it reads it. The per-image index and COCO lists go to temporary
	// files, so that memory does not grow with the dataset.
	cameras, classIndex, lastID, skipped, err := scan(ctx, st)
	if err != nil {
		return stats, err
	}
	stats.Skipped = skipped
	stats.Classes = slices.Sorted(func(yield func(string) bool) {
		for c := range classIndex {
			if !yield(c) {
				return
			}
		}
	})
	for i, c := range stats.Classes {
		classIndex[c] = i
	}
	split := splitCameras(cameras, opts.ValFraction)
	for c, s := range split {
		if s == SplitVal {
			stats.ValCameras = append(stats.ValCameras, c)
		} else {
			stats.TrainCameras = append(stats.TrainCameras, c)
		}
	}
	sort.Strings(stats.TrainCameras)
	sort.Strings(stats.ValCameras)

	zw := zip.NewWriter(w)
	cocoDocs := map[string]*cocoSpool{}
	for _, sp := range []string{SplitTrain, SplitVal} {
		c, err := newCOCO(stats.Classes, opts.Now())
		if err != nil {
			return stats, err
		}
		defer c.close()
		cocoDocs[sp] = c
	}
	index, err := newSpool()
	if err != nil {
		return stats, err
	}
	defer index.close()
	_, err = eachReport(ctx, st, lastID, func(r store.TrainingReport) error {
		s, ok := toSample(r)
		if !ok {
			return nil // counted by scan
		}
		sp, known := split[s.camera]
		if !known || !s.negative && !classesKnown(s.rep, classIndex) {
			stats.Skipped++ // its case changed between the passes
			return nil
		}
		wrote, boxes, err := writeSample(ctx, zw, blobs, s, sp, opts.Format, classIndex, cocoDocs[sp])
		if err != nil {
			return err
		}
		if !wrote {
			stats.Skipped++
			return nil
		}
		stats.Images++
		stats.Boxes += boxes
		if s.negative {
			stats.Negatives++
		} else {
			stats.Positives++
		}
		opts.Metrics.exported.WithLabelValues(sp).Inc()
		return index.add(indexEntry{File: "images/" + sp + "/" + s.file, Split: sp, DeviceID: s.rep.DeviceID,
			CameraID: s.rep.CameraID, CaseID: s.rep.CaseID, CaseStatus: s.rep.CaseStatus, EventID: s.rep.EventID,
			ViolationType: s.rep.ViolationType, Negative: s.negative, Boxes: boxes,
			Model: s.rep.Model.Name + " " + s.rep.Model.Version})
	})
	if err != nil {
		return stats, err
	}
	if opts.Format == FormatYOLO {
		data, err := yaml.Marshal(yoloData{Path: ".", Train: "images/" + SplitTrain, Val: "images/" + SplitVal,
			NC: len(stats.Classes), Names: nonNilStrings(stats.Classes)})
		if err != nil {
			return stats, err
		}
		if err := writeFile(zw, "data.yaml", data); err != nil {
			return stats, err
		}
	} else {
		for _, sp := range []string{SplitTrain, SplitVal} {
			fw, err := zw.Create("annotations/instances_" + sp + ".json")
			if err != nil {
				return stats, err
			}
			if err := cocoDocs[sp].writeTo(fw); err != nil {
				return stats, err
			}
		}
	}
	fw, err := zw.Create("dataset.json")
	if err != nil {
		return stats, err
	}
	if err := writeIndex(fw, opts.Format, opts.Now().UTC(), stats, index); err != nil {
		return stats, err
	}
	return stats, zw.Close()
}

// indexEntry in dataset.json traces each image to its case.
type indexEntry struct {
	File          string `json:"file"`
	Split         string `json:"split"`
	DeviceID      string `json:"device_id"`
	CameraID      string `json:"camera_id"`
	CaseID        string `json:"case_id"`
	CaseStatus    string `json:"case_status"`
	EventID       string `json:"event_id"`
	ViolationType string `json:"violation_type"`
	Negative      bool   `json:"negative"`
	Boxes         int    `json:"boxes"`
	Model         string `json:"model"`
}

type yoloData struct {
	Path  string   `yaml:"path"`
	Train string   `yaml:"train"`
	Val   string   `yaml:"val"`
	NC    int      `yaml:"nc"`
	Names []string `yaml:"names"`
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// exportStatuses are the case statuses an export reads.
var exportStatuses = append(slices.Clone(ConfirmedStatuses), RejectedStatuses...)

// eachReport calls fn with every rejected and confirmed report, a page at a
// time, up to row id lastID (0: no bound), and returns the last id seen.
func eachReport(ctx context.Context, st ExportStore, lastID int64, fn func(store.TrainingReport) error) (int64, error) {
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return after, err
		}
		page, err := st.TrainingReports(ctx, exportStatuses, after, pageSize)
		if err != nil {
			return after, fmt.Errorf("read reports: %w", err)
		}
		for _, r := range page {
			if lastID > 0 && r.ID > lastID {
				return after, nil
			}
			after = r.ID
			if err := fn(r); err != nil {
				return after, err
			}
		}
		if len(page) < pageSize {
			return after, nil
		}
	}
}

// scan is the first pass: the cameras and the classes of confirmed
// detections, the last report id, and how many reports have no snapshot.
func scan(ctx context.Context, st ExportStore) (map[string]bool, map[string]int, int64, int, error) {
	cameras, classes, skipped := map[string]bool{}, map[string]int{}, 0
	lastID, err := eachReport(ctx, st, 0, func(r store.TrainingReport) error {
		s, ok := toSample(r)
		if !ok {
			skipped++
			return nil
		}
		cameras[s.camera] = true
		if !s.negative {
			for _, d := range r.Detections {
				classes[d.ClassName] = 0
			}
		}
		return nil
	})
	return cameras, classes, lastID, skipped, err
}

// toSample is the image a report gives, or false when it has no snapshot.
func toSample(r store.TrainingReport) (sample, bool) {
	s := sample{rep: r, camera: r.DeviceID + "/" + r.CameraID,
		negative: r.Suppressed || slices.Contains(RejectedStatuses, r.CaseStatus)}
	found := false
	for _, e := range r.Evidence {
		if e.Kind == store.KindSnapshot && (e.ContentType == "image/jpeg" || e.ContentType == "image/png") {
			s.snapshot, found = e, true
			break
		}
	}
	if !found {
		return s, false
	}
	ext := ".jpg"
	if s.snapshot.ContentType == "image/png" {
		ext = ".png"
	}
	s.file = fmt.Sprintf("%s_%s_%d%s", unsafeName.ReplaceAllString(r.DeviceID, "_"),
		unsafeName.ReplaceAllString(r.CameraID, "_"), r.ID, ext)
	return s, true
}

func classesKnown(r store.TrainingReport, classes map[string]int) bool {
	for _, d := range r.Detections {
		if _, ok := classes[d.ClassName]; !ok {
			return false
		}
	}
	return true
}

// splitCameras puts about frac of the cameras in val, chosen by a hash of
// their names so that the same cameras land in val from export to export.
func splitCameras(cameras map[string]bool, frac float64) map[string]string {
	names := make([]string, 0, len(cameras))
	for c := range cameras {
		names = append(names, c)
	}
	hash := func(s string) uint64 {
		h := fnv.New64a()
		_, _ = h.Write([]byte(s))
		return h.Sum64()
	}
	sort.Slice(names, func(i, j int) bool {
		hi, hj := hash(names[i]), hash(names[j])
		if hi != hj {
			return hi < hj
		}
		return names[i] < names[j]
	})
	nVal := int(math.Round(float64(len(names)) * frac))
	if len(names) >= 2 {
		nVal = min(max(nVal, 1), len(names)-1)
	} else {
		nVal = 0
	}
	out := make(map[string]string, len(names))
	for i, c := range names {
		if i < nVal {
			out[c] = SplitVal
		} else {
			out[c] = SplitTrain
		}
	}
	return out
}

// box is a label in image pixels.
type box struct {
	class      int
	x, y, w, h float64
}

// writeSample copies one snapshot into the zip with its labels. It returns
// false (and writes nothing) when the snapshot cannot be read.
func writeSample(ctx context.Context, zw *zip.Writer, blobs BlobOpener, s sample, sp, format string, classes map[string]int, coco *cocoSpool) (bool, int, error) {
	f, err := blobs.Open(ctx, s.snapshot.SHA256)
	if err != nil {
		return false, 0, nil
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return false, 0, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, 0, fmt.Errorf("rewind snapshot: %w", err)
	}
	var boxes []box
	if !s.negative {
		boxes = labels(s.rep, cfg.Width, cfg.Height, classes)
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "images/" + sp + "/" + s.file, Method: zip.Store, Modified: s.rep.ObservedAt})
	if err != nil {
		return false, 0, err
	}
	if _, err := io.Copy(w, f); err != nil {
		return false, 0, fmt.Errorf("copy snapshot %s: %w", s.snapshot.SHA256, err)
	}
	switch format {
	case FormatYOLO:
		var b strings.Builder
		for _, bx := range boxes {
			fmt.Fprintf(&b, "%d %.6f %.6f %.6f %.6f\n", bx.class,
				(bx.x+bx.w/2)/float64(cfg.Width), (bx.y+bx.h/2)/float64(cfg.Height),
				bx.w/float64(cfg.Width), bx.h/float64(cfg.Height))
		}
		label := "labels/" + sp + "/" + strings.TrimSuffix(s.file, extOf(s.file)) + ".txt"
		if err := writeFile(zw, label, []byte(b.String())); err != nil {
			return false, 0, err
		}
	case FormatCOCO:
		if err := coco.add(s, cfg.Width, cfg.Height, boxes); err != nil {
			return false, 0, err
		}
	}
	return true, len(boxes), nil
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// labels turns a report's detections (frame pixels) into boxes in the
// snapshot's pixels, clipped to it; empty boxes are dropped.
func labels(r store.TrainingReport, w, h int, classes map[string]int) []box {
	sx, sy := 1.0, 1.0
	if r.FrameWidth > 0 && r.FrameHeight > 0 {
		sx, sy = float64(w)/float64(r.FrameWidth), float64(h)/float64(r.FrameHeight)
	}
	var out []box
	for _, d := range r.Detections {
		x1 := clamp(float64(d.X)*sx, 0, float64(w))
		y1 := clamp(float64(d.Y)*sy, 0, float64(h))
		x2 := clamp(float64(d.X+d.Width)*sx, 0, float64(w))
		y2 := clamp(float64(d.Y+d.Height)*sy, 0, float64(h))
		if x2-x1 < 1 || y2-y1 < 1 {
			continue
		}
		out = append(out, box{class: classes[d.ClassName], x: x1, y: y1, w: x2 - x1, h: y2 - y1})
	}
	return out
}

func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Min(math.Max(v, lo), hi)
}

func writeFile(zw *zip.Writer, name string, data []byte) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// cocoFile is the shape of one split's COCO annotations file, which
// cocoSpool writes piece by piece.
type cocoFile struct {
	Info        cocoInfo         `json:"info"`
	Images      []cocoImage      `json:"images"`
	Annotations []cocoAnnotation `json:"annotations"`
	Categories  []cocoCategory   `json:"categories"`
}

// cocoSpool is one split's COCO annotations being written: its image and
// annotation lists spooled to temporary files as the export goes.
type cocoSpool struct {
	info        cocoInfo
	categories  []cocoCategory
	images      *spool
	annotations *spool
}

type cocoInfo struct {
	Description string `json:"description"`
	DateCreated string `json:"date_created"`
}

type cocoImage struct {
	ID         int    `json:"id"`
	FileName   string `json:"file_name"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	DeviceID   string `json:"device_id"`
	CameraID   string `json:"camera_id"`
	CaseID     string `json:"case_id"`
	CaseStatus string `json:"case_status"`
}

type cocoAnnotation struct {
	ID         int        `json:"id"`
	ImageID    int        `json:"image_id"`
	CategoryID int        `json:"category_id"`
	BBox       [4]float64 `json:"bbox"` // x, y, width, height
	Area       float64    `json:"area"`
	IsCrowd    int        `json:"iscrowd"`
}

type cocoCategory struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func newCOCO(classes []string, now time.Time) (*cocoSpool, error) {
	c := &cocoSpool{
		info:       cocoInfo{Description: "Xiuhua training data: confirmed and rejected cases", DateCreated: now.UTC().Format(time.RFC3339)},
		categories: []cocoCategory{},
	}
	for i, n := range classes {
		c.categories = append(c.categories, cocoCategory{ID: i + 1, Name: n})
	}
	var err error
	if c.images, err = newSpool(); err != nil {
		return nil, err
	}
	if c.annotations, err = newSpool(); err != nil {
		c.images.close()
		return nil, err
	}
	return c, nil
}

func (c *cocoSpool) close() {
	c.images.close()
	c.annotations.close()
}

func (c *cocoSpool) add(s sample, w, h int, boxes []box) error {
	id := c.images.n + 1
	if err := c.images.add(cocoImage{ID: id, FileName: s.file, Width: w, Height: h,
		DeviceID: s.rep.DeviceID, CameraID: s.rep.CameraID, CaseID: s.rep.CaseID, CaseStatus: s.rep.CaseStatus}); err != nil {
		return err
	}
	for _, b := range boxes {
		if err := c.annotations.add(cocoAnnotation{ID: c.annotations.n + 1, ImageID: id,
			CategoryID: b.class + 1, BBox: [4]float64{round2(b.x), round2(b.y), round2(b.w), round2(b.h)},
			Area: round2(b.w * b.h)}); err != nil {
			return err
		}
	}
	return nil
}

// writeTo writes the COCO document: info, images, annotations, categories.
func (c *cocoSpool) writeTo(w io.Writer) error {
	info, err := json.Marshal(c.info)
	if err != nil {
		return err
	}
	cats, err := json.Marshal(c.categories)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, `{"info":%s,"images":`, info); err != nil {
		return err
	}
	if err := c.images.writeArray(w); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `,"annotations":`); err != nil {
		return err
	}
	if err := c.annotations.writeArray(w); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, `,"categories":%s}`+"\n", cats)
	return err
}

// writeIndex writes dataset.json: the format, when, the stats and every
// image traced to its case.
func writeIndex(w io.Writer, format string, at time.Time, stats ExportStats, index *spool) error {
	head, err := json.Marshal(struct {
		Format     string      `json:"format"`
		ExportedAt time.Time   `json:"exported_at"`
		Stats      ExportStats `json:"stats"`
	}{format, at, stats})
	if err != nil {
		return err
	}
	// The head's closing brace gives way to the images list.
	if _, err := w.Write(head[:len(head)-1]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `,"images":`); err != nil {
		return err
	}
	if err := index.writeArray(w); err != nil {
		return err
	}
	_, err = io.WriteString(w, "}\n")
	return err
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
