package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/xiuhua/xiuhua/server/app"
	"github.com/xiuhua/xiuhua/server/models"
)

// exportCommand is the first argument that exports training data instead
// of running the server.
const exportCommand = "export-dataset"

// runExport runs `server export-dataset -format yolo|coco -out FILE.zip`:
// rejected and confirmed cases as a labelled dataset, split by camera. The
// zip is written beside -out and renamed into place when complete. Exit
// status 2 for a usage or configuration error, 1 when the export fails.
func runExport(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) int {
	fs := flag.NewFlagSet("server "+exportCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", defaultConfig, "configuration file (YAML); env XIUHUA_CONFIG")
	dataDir := fs.String("data-dir", "", "data folder, overrides data_dir")
	format := fs.String("format", models.FormatYOLO, "dataset layout: yolo or coco")
	out := fs.String("out", "", "the zip file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: server export-dataset [-config FILE] [-data-dir DIR] [-format yolo|coco] -out FILE.zip")
		return 2
	}
	if *format != models.FormatYOLO && *format != models.FormatCOCO {
		fmt.Fprintf(stderr, "server: -format: invalid value %q: allowed: yolo, coco\n", *format)
		return 2
	}
	cfg, _, err := loadFlagged(fs, *configPath, *dataDir, lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*.zip")
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	stats, err := app.ExportDataset(ctx, cfg, *format, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	var fe interface{ Unwrap() []error }
	if err != nil && errors.As(err, &fe) {
		fmt.Fprintf(stderr, "server: %v\n", err) // configuration errors
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "server: export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "%s: %d images (%d with boxes, %d negatives), %d boxes, classes %v, %d skipped; train cameras %v, val cameras %v\n",
		*out, stats.Images, stats.Positives, stats.Negatives, stats.Boxes, stats.Classes, stats.Skipped, stats.TrainCameras, stats.ValCameras)
	return 0
}
