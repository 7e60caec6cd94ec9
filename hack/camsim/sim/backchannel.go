package sim

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"

	"github.com/xiuhua/xiuhua/edge/audio"
)

// backChannelMedia is the ONVIF audio back channel every stream offers
// (unless NoSpeaker): G.711 at 8 kHz, µ-law or A-law as the client
// chooses, like the speaker of a typical IP camera. gortsplib shows it
// only to clients that send "Require: www.onvif.org/ver20/backchannel",
// so video-only clients see the same SDP as before.
func backChannelMedia() *description.Media {
	return &description.Media{
		Type:          description.MediaTypeAudio,
		IsBackChannel: true,
		Formats: []format.Format{
			&format.G711{PayloadTyp: 0, MULaw: true, SampleRate: 8000, ChannelCount: 1},
			&format.G711{PayloadTyp: 8, MULaw: false, SampleRate: 8000, ChannelCount: 1},
		},
	}
}

// Recording is what one client session played into a stream's back
// channel, as the camera's speaker would have sounded it.
type Recording struct {
	Stream   string        `json:"stream"`
	Codec    string        `json:"codec"` // PCMU or PCMA
	Packets  int           `json:"packets"`
	Duration time.Duration `json:"duration_ns"` // of the decoded audio, at 8 kHz
	First    time.Time     `json:"first_packet"`
	Last     time.Time     `json:"last_packet"`
	File     string        `json:"file,omitempty"` // the WAV, when the server has a BackChannelDir
	PCM      []int16       `json:"-"`              // 8 kHz mono
}

// speakers keeps the back-channel audio of every stream: sessions in
// progress and finished recordings. gortsplib calls it from its session
// goroutines.
type speakers struct {
	dir string
	log *slog.Logger

	mu       sync.Mutex
	active   map[*gortsplib.ServerSession]*Recording
	finished map[string][]Recording
	started  map[string]int // recordings begun per stream, numbering the files
}

func newSpeakers(dir string, log *slog.Logger) *speakers {
	return &speakers{dir: dir, log: log, active: map[*gortsplib.ServerSession]*Recording{},
		finished: map[string][]Recording{}, started: map[string]int{}}
}

// listen starts recording a session at PLAY when it set up a back channel.
func (sp *speakers) listen(stream string, ss *gortsplib.ServerSession) {
	for _, medi := range ss.SetuppedMedias() {
		if !medi.IsBackChannel {
			continue
		}
		for _, forma := range medi.Formats {
			g, ok := forma.(*format.G711)
			if !ok {
				continue
			}
			ss.OnPacketRTP(medi, forma, func(pkt *rtp.Packet) { sp.receive(stream, ss, g.MULaw, pkt) })
		}
	}
}

func (sp *speakers) receive(stream string, ss *gortsplib.ServerSession, mulaw bool, pkt *rtp.Packet) {
	now := time.Now()
	pcm := audio.DecodeG711(pkt.Payload, mulaw)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	r := sp.active[ss]
	if r == nil {
		r = &Recording{Stream: stream, Codec: "PCMA", First: now}
		if mulaw {
			r.Codec = "PCMU"
		}
		sp.active[ss] = r
	}
	r.Packets++
	r.Last = now
	r.PCM = append(r.PCM, pcm...)
}

// finish closes a session's recording, writing its WAV file when there is
// a folder for them.
func (sp *speakers) finish(ss *gortsplib.ServerSession) {
	sp.mu.Lock()
	r := sp.active[ss]
	delete(sp.active, ss)
	n := 0
	if r != nil {
		sp.started[r.Stream]++
		n = sp.started[r.Stream]
	}
	sp.mu.Unlock()
	if r == nil {
		return
	}
	r.Duration = time.Duration(len(r.PCM)) * time.Second / audio.TelephoneRate
	if sp.dir != "" {
		r.File = filepath.Join(sp.dir, fmt.Sprintf("%s-%d.wav", r.Stream, n))
		if err := os.WriteFile(r.File, audio.EncodeWAV(audio.TelephoneRate, r.PCM), 0o644); err != nil {
			sp.log.Error("keep back-channel audio", "stream", r.Stream, "err", err)
			r.File = ""
		}
	}
	sp.log.Info("back channel played", "stream", r.Stream, "codec", r.Codec, "duration", r.Duration,
		"packets", r.Packets, "file", r.File)
	sp.mu.Lock()
	sp.finished[r.Stream] = append(sp.finished[r.Stream], *r)
	sp.mu.Unlock()
}

// recordings lists a stream's finished recordings, oldest first.
func (sp *speakers) recordings(stream string) []Recording {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return append([]Recording(nil), sp.finished[stream]...)
}
