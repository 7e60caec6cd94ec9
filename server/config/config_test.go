package config

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/server/cases"
)

func TestDefaultIsValid(t *testing.T) {
	cfg := Default()
	require.NoError(t, cfg.Validate())
}

func TestLoadGood(t *testing.T) {
	cfg, err := Load("testdata/good.yml")
	require.NoError(t, err)
	// Keys given replace the defaults one by one; the others stay.
	wantCases := defaultCases()
	wantCases.Deadlines["pending_review"] = conf.Duration(30 * time.Minute)
	wantCases.EventCodes["street_vending"] = cases.EventCode{Category: "13", CategoryName: "街面秩序", Subcategory: "1301", SubcategoryName: "占道经营"}
	wantCases.Units = []cases.Unit{{Code: "NJDL", Name: "南京东路街道城管中队"}, {Code: "WT", Name: "外滩街道城管中队"}}
	require.NoError(t, cfg.Validate())
	require.Equal(t, Config{
		HTTP:    HTTP{Listen: "0.0.0.0:8081", TLS: HTTPTLS{HSTSMaxAge: DefaultHSTSMaxAge}},
		GRPC:    GRPC{Listen: ":9443", TLS: TLS{CertFile: "testdata/tls/server.crt", KeyFile: "testdata/tls/server.key", ClientCA: "testdata/tls/ca.crt"}},
		DataDir: "/var/lib/xiuhua",
		Log:     Log{Level: "debug", Format: "json"},
		Limits: Limits{MaxEvidenceBytes: 1 << 20, MaxEvidenceFiles: 4, MaxAttachmentBytes: 10 << 20,
			GRPC: defaultGRPCLimits(), HTTP: defaultHTTPLimits()},
		Store:   Store{Driver: "postgres", DSN: "postgres://xiuhua@db.example:5432/xiuhua?sslmode=verify-full"},
		Blobs:   defaultBlobs(),
		Cases:   wantCases,
		Grid:    Grid{GeoJSON: "/etc/xiuhua/grid.geojson", CellSizeM: 100, DefaultUnit: "城管大队"},
		Address: defaultAddress(),
		Notify:  defaultNotify(),
		Auth:    defaultAuth(),
		Web:     Web{TimeZone: "Europe/Berlin"},
		Recheck: defaultRecheck(),
		Models:  defaultModels(),
	}, cfg)
}

func TestLoadEmptyKeepsDefaults(t *testing.T) {
	cfg, err := Load("testdata/empty.yml")
	require.NoError(t, err)
	require.Equal(t, Default(), cfg)
}

func TestLoadOptional(t *testing.T) {
	cfg, err := LoadOptional(filepath.Join(t.TempDir(), "server.yaml"))
	require.NoError(t, err)
	require.Equal(t, Default(), cfg)

	_, err = Load(filepath.Join(t.TempDir(), "server.yaml"))
	require.ErrorContains(t, err, "no such file or directory")
}

// badFiles lists every testdata/*.bad.yml with the exact message it gives,
// from Load or, when the YAML itself is fine, from Validate.
var badFiles = []struct {
	file string
	want string
}{
	{"unknown_key.bad.yml", `config "testdata/unknown_key.bad.yml": yaml: unmarshal errors:` + "\n" + `  line 3: field port not found in type config.HTTP`},
	{"unknown_top.bad.yml", `config "testdata/unknown_top.bad.yml": yaml: unmarshal errors:` + "\n" + `  line 1: field datadir not found in type config.Config`},
	{"max_bytes_type.bad.yml", `config "testdata/max_bytes_type.bad.yml": yaml: unmarshal errors:` + "\n" + `  line 2: cannot unmarshal !!str ` + "`64MiB`" + ` into int64`},
	{"time_zone.bad.yml", `web.time_zone: invalid value "Beijing": allowed: an IANA time zone such as Asia/Shanghai, or UTC`},
	{"http_listen.bad.yml", `http.listen: invalid value "localhost": allowed: host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080 or :8080`},
	{"grpc_port.bad.yml", `grpc.listen: invalid value "127.0.0.1:70000": allowed: host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080 or :8080`},
	{"tls_half.bad.yml", `grpc.tls.key_file: invalid value "": allowed: a PEM private key file, set together with grpc.tls.cert_file`},
	{"tls_key_only.bad.yml", `grpc.tls.cert_file: invalid value "": allowed: a PEM certificate file, set together with grpc.tls.key_file`},
	{"tls_missing.bad.yml", `grpc.tls.cert_file: invalid value "testdata/tls/no-such.crt": allowed: a readable PEM certificate file (no such file or directory)`},
	{"tls_mismatch.bad.yml", `grpc.tls.key_file: invalid value "testdata/tls/edge-1.key": allowed: the private key of grpc.tls.cert_file "testdata/tls/server.crt" (this key belongs to another certificate)`},
	{"tls_client_ca.bad.yml", `grpc.tls.client_ca: invalid value "testdata/tls/no-such-ca.crt": allowed: a readable PEM file of CA certificates (no such file or directory)` + "\n" +
		`grpc.tls.client_ca: invalid value "testdata/tls/no-such-ca.crt": allowed: empty, or set together with grpc.tls.cert_file and grpc.tls.key_file`},
	{"tls_client_ca_open.bad.yml", `grpc.tls.client_ca: invalid value "testdata/tls/ca.crt": allowed: empty, or set together with auth.devices: token`},
	{"http_tls.bad.yml", `http.tls.key_file: invalid value "testdata/tls/edge-1.key": allowed: the private key of http.tls.cert_file "testdata/tls/server.crt" (this key belongs to another certificate)` + "\n" +
		`http.tls.hsts_max_age: invalid value "-1s": allowed: 0 (no header) to 17520h (two years)`},
	{"data_dir.bad.yml", `data_dir: invalid value "": allowed: a folder path`},
	{"log_level.bad.yml", `log.level: invalid value "verbose": allowed: debug, info, warn, error`},
	{"log_format.bad.yml", `log.format: invalid value "xml": allowed: text, json`},
	{"max_bytes.bad.yml", `limits.max_evidence_bytes: invalid value 0: allowed: 1 to 4294967296 (bytes per file)`},
	{"max_files.bad.yml", `limits.max_evidence_files: invalid value 100: allowed: 1 to 64`},
	{"store_driver.bad.yml", `store.driver: invalid value "mysql": allowed: sqlite, postgres`},
	{"store_dsn.bad.yml", `store.dsn: invalid value "": allowed: a PostgreSQL connection string, e.g. postgres://user@host:5432/db`},
	{"store_dsn_parse.bad.yml", `store.dsn: invalid value "(hidden)": allowed: a PostgreSQL connection string that parses`},
	{"deadlines.bad.yml", `cases.deadlines.closed: invalid value "closed": allowed: a status with a deadline: pending_review, filed, dispatched, handling, reported, verified` + "\n" +
		`cases.deadlines.handling: invalid value "0s": allowed: a positive duration such as 30m or 24h`},
	{"event_code.bad.yml", `cases.event_codes.street_vending.subcategory: invalid value "": allowed: the platform's sub-category (小类) code`},
	{"merge.bad.yml", `cases.merge.iou: invalid value 1.5: allowed: a number between 0 and 1, e.g. 0.3` + "\n" +
		`cases.merge.distance_m: invalid value -1: allowed: 0 to 1000 (metres)` + "\n" +
		`cases.merge.window: invalid value "0s": allowed: a positive duration such as 30m` + "\n" +
		`cases.merge.suppress: invalid value "-1h0m0s": allowed: 0 (off) or a positive duration such as 24h`},
	{"units.bad.yml", `cases.units[1].code: invalid value "南京": allowed: 1 to 64 letters, digits, '-', '_' or '.'` + "\n" +
		`cases.units[2].code: invalid value "NJDL": allowed: a code no other unit has` + "\n" +
		`cases.units[2].name: invalid value "": allowed: 1 to 200 bytes, no control characters`},
	{"grid.bad.yml", `grid.cell_size_m: invalid value 1: allowed: 10 to 10000 (metres)`},
	{"notify_webhook.bad.yml", `notify.webhooks[0].url: invalid value "ftp://example.com/hook": allowed: an http:// or https:// URL` + "\n" +
		`notify.webhooks[0].secret_env: invalid value "HOOK_SECRET": allowed: exactly one of secret_env and secret_file` + "\n" +
		`notify.webhooks[0].events[1]: invalid value "deleted": allowed: created, merged, transitioned, suppressed` + "\n" +
		`notify.webhooks[0].timeout: invalid value "10m0s": allowed: a duration up to 5m, e.g. 10s (0 for 10s)`},
	{"notify_webhook_dup.bad.yml", `notify.webhooks[1].name: invalid value "webhook:https://example.com/hook": allowed: a name no other webhook or broker has`},
	{"notify_mqtt.bad.yml", `notify.mqtt.broker: invalid value "127.0.0.1:1883": allowed: a broker URL such as tcp://127.0.0.1:1883 or ssl://broker:8883` + "\n" +
		`notify.mqtt.topic_prefix: invalid value "xiuhua/#": allowed: a topic without wildcards, e.g. xiuhua` + "\n" +
		`notify.mqtt.qos: invalid value 0: allowed: 1 or 2 (at least once)`},
	{"notify_retry.bad.yml", `notify.retry.max: invalid value "1m0s": allowed: a duration from notify.retry.base up to 24h, e.g. 5m`},
	{"auth_devices.bad.yml", `auth.devices: invalid value "mtls": allowed: token, open`},
	{"auth_open.bad.yml", `auth.devices: invalid value "open": allowed: token; open only with a loopback grpc.listen (e.g. 127.0.0.1:9090)`},
	{"auth_admin.bad.yml", `auth.bootstrap_admin: invalid value "root user": allowed: 1 to 64 letters, digits, . _ @ -`},
	{"limits_grpc.bad.yml", `limits.grpc.max_concurrent_streams: invalid value 1: allowed: 4 to 10000` + "\n" +
		`limits.grpc.reports_per_minute: invalid value 0: allowed: 1 to 1000000`},
	{"limits_http.bad.yml", `limits.http.upload_timeout: invalid value "1s": allowed: 10s to 24h0m0s`},
	{"trusted_proxies.bad.yml", `http.trusted_proxies[1]: invalid value "10.0.0.0/33": allowed: an IP address or CIDR prefix, e.g. 10.0.0.5 or 10.0.0.0/24`},
	{"auth_device_keys.bad.yml", `auth.device_keys: invalid value "later": allowed: first_hello, add`},
	{"auth_ttl.bad.yml", `auth.session_ttl: invalid value "1m0s": allowed: 5m to 720h`},
	{"blobs_backend.bad.yml", `blobs.backend: invalid value "nfs": allowed: folder, s3`},
	{"blobs_url_folder.bad.yml", `blobs.evidence_url_ttl: invalid value "5m0s": allowed: 0 with the folder backend (presigned URLs need blobs.backend: s3)`},
	{"blobs_s3.bad.yml", `blobs.s3.endpoint: invalid value "https://s3.example.cn": allowed: host:port without a scheme, e.g. s3.example.cn:443 (set blobs.s3.tls for https)` + "\n" +
		`blobs.s3.bucket: invalid value "Evidence_2026": allowed: an S3 bucket name: 3 to 63 of a-z 0-9 . -` + "\n" +
		`blobs.s3.prefix: invalid value "/xiuhua": allowed: empty, or a key prefix ending in / and not starting with /, e.g. xiuhua/` + "\n" +
		`blobs.evidence_url_ttl: invalid value "24h0m0s": allowed: 0 (stream through the server) or 10s to 1h`},
	{"blobs_retention.bad.yml", `blobs.retention.interval: invalid value "10s": allowed: a duration from 1m to 24h` + "\n" +
		`blobs.retention.orphan_grace: invalid value "1m0s": allowed: a duration of at least 10m (longer than any upload)` + "\n" +
		`blobs.retention.rules[1].kind: invalid value "video": allowed: clip, snapshot, annotated, before_after` + "\n" +
		`blobs.retention.rules[1].outcome: invalid value "open": allowed: rejected, closed, corrected` + "\n" +
		`blobs.retention.rules[1].after: invalid value "30m0s": allowed: a duration of at least 1h, e.g. 720h for 30 days` + "\n" +
		`blobs.retention.rules[2]: invalid value "clip/rejected": allowed: one rule per kind and outcome`},
	{"several.bad.yml", `http.listen: invalid value "": allowed: host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080 or :8080` + "\n" +
		`log.level: invalid value "loud": allowed: debug, info, warn, error` + "\n" +
		`log.format: invalid value "xml": allowed: text, json` + "\n" +
		`limits.max_evidence_files: invalid value -1: allowed: 1 to 64`},
}

func TestBadFiles(t *testing.T) {
	for _, tc := range badFiles {
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", tc.file))
			if err == nil {
				err = cfg.Validate()
			}
			require.Error(t, err)
			require.Equal(t, tc.want, err.Error())
		})
	}
}

// TestEveryBadFileIsListed keeps the table and the folder in step.
func TestEveryBadFileIsListed(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yml")
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, tc := range badFiles {
		listed[tc.file] = true
	}
	for _, f := range files {
		require.True(t, listed[filepath.Base(f)], "%s has no entry in badFiles", f)
	}
	require.Len(t, badFiles, len(files))
}

func TestOverrides(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want func(*Config)
	}{
		{"none", nil, func(*Config) {}},
		{"all", map[string]string{
			"XIUHUA_HTTP_LISTEN":  ":1",
			"XIUHUA_GRPC_LISTEN":  ":2",
			"XIUHUA_DATA_DIR":     "/d",
			"XIUHUA_LOG_LEVEL":    "warn",
			"XIUHUA_LOG_FORMAT":   "json",
			"XIUHUA_STORE_DRIVER": "postgres",
			"XIUHUA_STORE_DSN":    "postgres://x@y/z",
		}, func(c *Config) {
			c.HTTP.Listen, c.GRPC.Listen, c.DataDir, c.Log.Level, c.Log.Format = ":1", ":2", "/d", "warn", "json"
			c.Store = Store{Driver: "postgres", DSN: "postgres://x@y/z"}
		}},
		{"s3", map[string]string{"XIUHUA_S3_ACCESS_KEY": "ak", "XIUHUA_S3_SECRET_KEY": "sk"}, func(c *Config) {
			c.Blobs.S3.AccessKey, c.Blobs.S3.SecretKey = "ak", "sk"
		}},
		{"unrelated", map[string]string{"XIUHUA_OTHER": "x"}, func(*Config) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, want := Default(), Default()
			got.ApplyEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			tc.want(&want)
			require.Equal(t, want, got)
		})
	}
	require.Len(t, EnvNames(), 11)
}

func TestEnvEmptyValueIsValidated(t *testing.T) {
	cfg := Default()
	cfg.ApplyEnv(func(k string) (string, bool) { return "", k == "XIUHUA_LOG_LEVEL" })
	require.EqualError(t, cfg.Validate(), `log.level: invalid value "": allowed: debug, info, warn, error`)
}

// TestExampleFile keeps the shipped example loadable and equal to the
// defaults, so that it documents them truthfully.
func TestExampleFile(t *testing.T) {
	cfg, err := Load("../server.example.yaml")
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())
	require.Equal(t, Default(), cfg)
}
