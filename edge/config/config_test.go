package config

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
)

func TestLoadGoodFileFillsDefaults(t *testing.T) {
	c, err := Load("testdata/good.yml")
	require.NoError(t, err)
	require.Equal(t, "tcp", c.Cameras[0].Transport)
	r := c.Cameras[0].Zones[0].Rules[0]
	require.Equal(t, 20*time.Second, r.Dwell.D())
	require.Equal(t, 0.4, r.MinScore)
	require.Equal(t, 5*time.Second, r.GapTolerance.D())
	require.Equal(t, "127.0.0.1:9090", c.Server.Address)
}

// TestAccumulateDefaults: stall-like types accumulate by default, with a
// floor no higher than their min_score; others do not.
func TestAccumulateDefaults(t *testing.T) {
	cases := []struct {
		typ      string
		minScore float64
		on       bool
		floor    float64
	}{
		{"street_vending", 0.4, true, 0.2},
		{"outside_store", 0.15, true, 0.15},
		{"street_laundry", 0.4, true, 0.2},
		{"illegal_structure", 0.4, false, 0.2},
		{"demo_linger", 0.4, false, 0.2},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			r := Rule{Type: tc.typ, MinScore: tc.minScore}
			fillAccumulateDefaults(&r)
			require.Equal(t, tc.on, r.Accumulate.On())
			require.Equal(t, tc.floor, r.Accumulate.Floor)
			require.Equal(t, 30*time.Second, r.Accumulate.HalfLife.D())
			require.Equal(t, 0.3, r.Accumulate.Presence)
		})
	}
}

func TestLoadBadFilesNameFieldValueAndAllowed(t *testing.T) {
	cases := []struct {
		file string
		want string
	}{
		{"unknown_key", "field colour not found"},
		{"bad_type", `cameras[0].zones[0].rules[0].type: invalid value "street_dancing": allowed: [street_vending outside_store street_laundry illegal_structure demo_linger]`},
		{"bad_url", `cameras[0].url: invalid value "http://user:xxxxx@cam.local/stream": allowed: an rtsp:// or rtsps:// URL with a host`},
		{"bad_transport", `cameras[0].transport: invalid value "quic": allowed: tcp, udp`},
		{"bad_decode_mode", `cameras[0].decode_mode: invalid value "sometimes": allowed: auto, keyframes, all`},
		{"bad_decode_mode", `cameras[0].detect_width: invalid value 416: allowed: 1 to 8192 together with detect_height`},
		{"bad_duration", `invalid duration "soon": allowed: a Go duration such as 500ms, 20s, 5m`},
		{"bad_polygon", `cameras[0].zones[0].polygon[1]: invalid value "[1.5, 0]": allowed: x and y as fractions of the frame, 0 to 1`},
		{"duplicate_camera", `cameras[1].id: invalid value "cam1": allowed: a camera id not used by another camera`},
		{"no_cameras", `cameras: invalid value (empty): allowed: at least one camera`},
		{"bad_fps", `cameras[0].detect_fps: invalid value 100: allowed: a number above 0, at most 30`},
		{"insecure_remote", `server.insecure: invalid value true: allowed: true only when server.address is a loopback address`},
		{"token_both", `server.token_file: invalid value "/etc/xiuhua/token": allowed: empty when server.token is set: give one of them`},
		{"token_file_missing", `server.token_file: invalid value "/nonexistent/xiuhua-token": allowed: a readable file holding the token that ` + "`server device add`" + ` printed`},
		{"bowtie_polygon", `cameras[0].zones[0].polygon: invalid value "self-intersecting polygon": allowed: a simple polygon whose edges do not cross`},
		{"bad_hours", `cameras[0].zones[0].rules[0].allowed_hours[0]: invalid value "6pm-10pm": allowed: a daily window HH:MM-HH:MM`},
		{"bad_timezone", `device.timezone: invalid value "Mars/Olympus": allowed: an IANA time zone`},
		{"bad_anchor", `cameras[0].zones[0].anchor: invalid value "top": allowed: bottom_centre, centre`},
		{"pixel_polygon_negative", `cameras[0].zones[0].polygon[2]: invalid value "[-5, 500]": allowed: x and y in pixels, 0 or more`},
		{"degenerate_calibration", `cameras[0].calibration: invalid value "4 points": allowed: 4 or more image↔ground points, not in a line`},
		{"bad_model", `model.backend: invalid value "tensorflow": allowed: onnxruntime, opencv`},
		{"bad_model", `model.graph_optimization: invalid value "max": allowed: disable, basic, extended, all`},
		{"bad_recheck", `recheck.looks: invalid value 0: allowed: 1 to 10 frames`},
		{"clip_too_long", `cameras[0].clip: invalid value "pre 8s, post 5s": allowed: pre and post of 0 or more that together fit in ring_buffer (10s)`},
		{"bad_regions", `cameras[0].regions[1]: invalid value "[0.6 0.2 0.4 0.9]": allowed: [x1, y1, x2, y2] as fractions of the frame`},
		{"bad_regions", `cameras[0].regions[2]: invalid value "[0 0 0 0]": allowed: [x1, y1, x2, y2]`},
		{"bad_regions", `cameras[0].tile_overlap: invalid value 0.9: allowed: a fraction of a tile from 0.05 to 0.5`},
		{"bad_regions", `cameras[0].max_tiles: invalid value -1: allowed: 1 to 64 tiles per look`},
		{"bad_regions", `cameras[0].full_frame_every: invalid value -1: allowed: 1 (every look) to 1000 looks`},
		{"bad_regions", `cameras[1].regions: invalid value "zones": allowed: auto, full, or a list`},
		{"bad_regions", `cameras[1].detect_width: invalid value 640: allowed: 0 and 0 (the camera's size) unless regions is full`},
		{"too_many_tiles", `cameras[0].zones[1]: invalid value "zone pavement of camera gate-east: 12 tiles of 416x416 at 1920x1080": allowed: a zone seen finer in max_tiles (1) tiles than in the whole frame`},
		{"tls_missing", `server.cert_file: invalid value "testdata/tls/no-such.crt": allowed: a readable PEM certificate file (no such file or directory)`},
		{"tls_mismatch", `server.key_file: invalid value "testdata/tls/server.key": allowed: the private key of server.cert_file "testdata/tls/edge-1.crt" (this key belongs to another certificate)`},
		{"tls_other_device", `server.cert_file: invalid value "testdata/tls/edge-1.crt": allowed: a certificate whose common name or a DNS name is device.id "edge-2" (it names CN "edge-1")`},
		{"tls_insecure", `server.cert_file: invalid value "testdata/tls/edge-1.crt": allowed: empty when server.insecure is true`},
		{"ca_missing", `server.ca_file: invalid value "testdata/tls/no-such-ca.crt": allowed: a readable PEM file of CA certificates (no such file or directory)`},
		{"bad_outbox", `outbox.max_mb: invalid value -1: allowed: 0 (no cap but the disk) to 1073741824 MiB`},
		{"bad_outbox", `outbox.max_clip_age: invalid value "-1h0m0s": allowed: a duration of 0 (for ever) or more`},
		{"bad_lat", `cameras[0].location.lat: invalid value 131.2: allowed: -90 to 90 (WGS-84 degrees)`},
		{"bad_accumulate", `cameras[0].zones[0].rules[0].accumulate.floor: invalid value 0.5: allowed: a score above 0, at most the rule's min_score`},
		{"bad_accumulate", `cameras[0].zones[0].rules[0].accumulate.half_life: invalid value "-1s": allowed: a positive duration up to 24h`},
		{"bad_accumulate", `cameras[0].zones[0].rules[0].accumulate.presence: invalid value 1.5: allowed: a share of looks above 0, at most 1`},
		{"bad_accumulate", `cameras[0].zones[0].rules[1].accumulate.enabled: invalid value true: allowed: false for a rule that counts person: someone standing still is not a stall`},
		{"warn_audio_missing", `enforcement.street_vending.audio: invalid value "testdata/warn/no-such.wav": allowed: a readable WAV file (PCM 8/16/24/32-bit or 32-bit float, mono or stereo, 8000 to 192000 Hz, at most 2m0s) (no such file or directory)`},
		{"warn_audio_not_audio", `enforcement.street_vending.audio: invalid value "testdata/good.yml": allowed: a readable WAV file (PCM 8/16/24/32-bit or 32-bit float, mono or stereo, 8000 to 192000 Hz, at most 2m0s) (not a playable WAV file: no RIFF/WAVE header)`},
		{"warn_no_audio", `cameras[0].zones[0].rules[0].enforcement.audio: invalid value "": allowed: a WAV file to play through the camera's back channel, here or in enforcement.outside_store.audio (or a speaker of kind http for cameras[0])`},
		{"warn_bad_policy", `enforcement.street_dancing: invalid value "street_dancing": allowed: a violation type: street_vending, outside_store`},
		{"warn_bad_policy", `enforcement.street_laundry.mode: invalid value "shout": allowed: file, warn_first`},
		{"warn_bad_policy", `enforcement.street_laundry.grace: invalid value "5s": allowed: a duration from 30s to 24h`},
		{"warn_bad_policy", `enforcement.street_laundry.warnings: invalid value 9: allowed: 1 to 5 warnings before filing`},
		{"warn_bad_policy", `enforcement.street_laundry.quiet_hours[0]: invalid value "late": allowed: a daily window HH:MM-HH:MM`},
		{"warn_bad_policy", `cameras[0].speaker.kind: invalid value "siren": allowed: backchannel, http`},
		{"warn_bad_policy", `cameras[1].speaker.url: invalid value "ftp://10.0.0.7/play": allowed: an http:// or https:// URL with a host`},
		{"warn_bad_policy", `cameras[1].speaker.method: invalid value "DELETE": allowed: POST, PUT, GET`},
		{"warn_bad_policy", `cameras[1].speaker.timeout: invalid value "5m0s": allowed: a duration from 100ms to 1m`},
		{"warn_bad_policy", `cameras[1].speaker.attempts: invalid value 11: allowed: 1 to 10 requests`},
		{"bad_fleet", `fleet.start_stagger: invalid value "1m0s": allowed: a duration from 0 to 10s between two cameras' starts`},
		{"bad_fleet", `fleet.ring_buffer_total_bytes: invalid value -1: allowed: 0 (no box-wide cap) or a number of bytes`},
		{"bad_fleet", `fleet.parallel_looks: invalid value 17: allowed: 0 (auto: cores ÷ model.threads, or 1 without model.threads) to 16`},
		{"bad_fleet", `cameras[0].ring_buffer_bytes: invalid value -5: allowed: 0 (the default, 32 MiB) to 1073741824 bytes`},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", tc.file+".bad.yml"))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "hunter2", "a password leaked into an error")
		})
	}
}

func TestLoadTLSFile(t *testing.T) {
	c, err := Load("testdata/tls.yml")
	require.NoError(t, err)
	require.Equal(t, "xiuhua.example", c.Server.ServerName)
	require.Equal(t, "testdata/tls/edge-1.crt", c.Server.CertFile)
	require.Equal(t, "testdata/tls/edge-1.key", c.Server.KeyFile)
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	c := Default()
	c.Device.ID = ""
	c.Log.Level = "loud"
	err := c.Validate()
	require.Error(t, err)
	for _, f := range []string{"device.id", "log.level", "cameras"} {
		require.Contains(t, err.Error(), f+": invalid value")
	}
}

func TestExampleFileIsValid(t *testing.T) {
	c, err := Load("edge.example.yaml")
	require.NoError(t, err)
	require.Len(t, c.Cameras[0].Zones, 2)
	h, err := c.Cameras[0].Homography()
	require.NoError(t, err)
	require.NotNil(t, h)
}

func TestRegionsForms(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       Regions
	}{
		{"default", "", Regions{Mode: RegionsAuto}},
		{"full", "regions: full\n", Regions{Mode: RegionsFull}},
		{"list", "regions: [[0.1, 0.2, 0.5, 0.6]]\n", Regions{Mode: RegionsList, Rects: [][4]float64{{0.1, 0.2, 0.5, 0.6}}, bad: []bool{false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Device.ID = "edge-1"
			c.Cameras = []Camera{{ID: "cam1", URL: "rtsp://cam.local/s"}}
			require.NoError(t, conf.Decode([]byte("cameras:\n  - id: cam1\n    url: rtsp://cam.local/s\n"+indent(tc.yaml)), &c))
			c.fillDefaults()
			require.NoError(t, c.Validate())
			cam := c.Cameras[0]
			require.Equal(t, tc.want, cam.Regions)
			require.Equal(t, DefaultTileOverlap, cam.TileOverlap)
			require.Equal(t, DefaultMaxTiles, cam.MaxTiles)
			require.Equal(t, DefaultFullFrameEvery, cam.FullFrameEvery)
		})
	}
	var r Regions
	require.ErrorContains(t, conf.Decode([]byte("{a: 1}"), &r), "regions: want auto, full or a list")
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + s
}
