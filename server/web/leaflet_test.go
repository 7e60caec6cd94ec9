package web

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// vendoredLeaflet are the files of npm leaflet (hack/browser/package.json)
// copied into assets/leaflet, by their path in the npm package.
var vendoredLeaflet = map[string]string{
	"leaflet/leaflet.js":                "dist/leaflet.js",
	"leaflet/leaflet.css":               "dist/leaflet.css",
	"leaflet/LICENSE":                   "LICENSE",
	"leaflet/images/layers.png":         "dist/images/layers.png",
	"leaflet/images/layers-2x.png":      "dist/images/layers-2x.png",
	"leaflet/images/marker-icon.png":    "dist/images/marker-icon.png",
	"leaflet/images/marker-icon-2x.png": "dist/images/marker-icon-2x.png",
	"leaflet/images/marker-shadow.png":  "dist/images/marker-shadow.png",
}

// TestLeafletVendoredFromNPM holds the map library the binary serves to
// the npm package it came from, so that it has a source and an update is
// one `npm install leaflet@x` and a copy:
//
//	cd hack/browser && npm install --save-exact leaflet@VERSION
//	cp node_modules/leaflet/dist/leaflet.{js,css} node_modules/leaflet/LICENSE ../../server/web/assets/leaflet/
//	cp node_modules/leaflet/dist/images/*.png ../../server/web/assets/leaflet/images/
func TestLeafletVendoredFromNPM(t *testing.T) {
	pkg := filepath.Join("..", "..", "hack", "browser", "node_modules", "leaflet")
	meta, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if os.IsNotExist(err) {
		t.Fatalf("%s is missing: run `npm ci` in hack/browser (hack/setup.sh does) to check the vendored map library against its npm source", pkg)
	}
	require.NoError(t, err)
	var installed struct{ Version string }
	require.NoError(t, json.Unmarshal(meta, &installed))
	want, err := os.ReadFile(filepath.Join("..", "..", "hack", "browser", "package.json"))
	require.NoError(t, err)
	var declared struct{ Dependencies map[string]string }
	require.NoError(t, json.Unmarshal(want, &declared))
	require.Equal(t, declared.Dependencies["leaflet"], installed.Version, "node_modules is stale: run `npm ci` in hack/browser")

	for served, src := range vendoredLeaflet {
		require.True(t, staticNames[served], "%s is served", served)
		got, err := assets.ReadFile("assets/" + served)
		require.NoError(t, err, served)
		orig, err := os.ReadFile(filepath.Join(pkg, src))
		require.NoError(t, err, src)
		require.True(t, bytes.Equal(orig, got), "assets/%s differs from npm leaflet %s's %s: copy it again (see this test's comment)", served, installed.Version, src)
	}
	// Nothing else of leaflet is served that this test does not check.
	for name := range staticNames {
		if strings.HasPrefix(name, "leaflet/") {
			require.Contains(t, vendoredLeaflet, name)
		}
	}
}
