package main

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExportDatasetCommand(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) (string, bool) {
		if k == "XIUHUA_DATA_DIR" {
			return dir, true
		}
		return "", false
	}
	out := filepath.Join(dir, "ds.zip")
	var stderr bytes.Buffer
	require.Equal(t, 0, runExport([]string{"-format", "coco", "-out", out}, env, &stderr), stderr.String())
	require.Contains(t, stderr.String(), "0 images")
	zr, err := zip.OpenReader(out)
	require.NoError(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	require.Contains(t, names, "annotations/instances_train.json")
	require.Contains(t, names, "dataset.json")

	stderr.Reset()
	require.Equal(t, 2, runExport([]string{"-format", "voc", "-out", out}, env, &stderr))
	require.Contains(t, stderr.String(), `-format: invalid value "voc"`)
	require.Equal(t, 2, runExport(nil, env, &stderr), "-out is required")
}
