package warn

import (
	"log/slog"
	"net/http"

	"github.com/xiuhua/xiuhua/edge/config"
)

// ForCamera builds the Player of a camera from its configuration: an
// HTTPSpeaker for `speaker: {kind: http}`, otherwise the camera's own
// speaker over the back channel of its url. Build one per camera and keep
// it: a BackChannel remembers that its camera has none.
func ForCamera(cam config.Camera, m *Metrics, log *slog.Logger) Player {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "warn", "camera", cam.ID)
	if cam.SpeakerKind() == config.SpeakerHTTP {
		s := cam.Speaker
		h := http.Header{}
		for k, v := range s.Headers {
			h.Set(k, v)
		}
		return &HTTPSpeaker{URL: s.URL, Method: s.Method, Header: h, Timeout: s.Timeout.D(),
			Attempts: s.Attempts, Metrics: m, Logger: log}
	}
	return &BackChannel{Camera: cam.ID, URL: cam.URL, Username: cam.Username, Password: cam.Password,
		Metrics: m, Logger: log}
}
