package config

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Default returns the configuration used for anything the file leaves out.
func Default() Config {
	return Config{
		Device: Device{DataDir: "./data/edge", Timezone: "Local"},
		Server: Server{
			Address:           "127.0.0.1:9090",
			HeartbeatInterval: conf.Duration(10 * time.Second),
			RetryMin:          conf.Duration(500 * time.Millisecond),
			RetryMax:          conf.Duration(30 * time.Second),
		},
		Model:   defaultModel("models/yolox-nano.yaml"),
		Recheck: defaultRecheck(),
		Outbox:  defaultOutbox(),
		HTTP:    HTTP{Listen: "127.0.0.1:9100"},
		Log:     Log{Level: "info", Format: "text"},
		Fleet:   defaultFleet(),
	}
}

// Load reads path over the defaults, fills per-camera defaults and validates.
func Load(path string) (Config, error) {
	c := Default()
	if err := conf.LoadFile(path, &c); err != nil {
		return c, err
	}
	c.fillDefaults()
	return c, c.Validate()
}

func (c *Config) fillDefaults() {
	for i := range c.Cameras {
		cam := &c.Cameras[i]
		if cam.Transport == "" {
			cam.Transport = "tcp"
		}
		if cam.DetectFPS == 0 {
			cam.DetectFPS = 1
		}
		if cam.Clip.Pre == 0 && cam.Clip.Post == 0 {
			cam.Clip = Clip{Pre: conf.Duration(5 * time.Second), Post: conf.Duration(5 * time.Second)}
		}
		if cam.Stall == 0 {
			cam.Stall = conf.Duration(10 * time.Second)
		}
		if cam.DecodeMode == "" {
			cam.DecodeMode = "auto"
		}
		fillRegionDefaults(cam)
		for j := range cam.Zones {
			if cam.Zones[j].Coordinates == "" {
				cam.Zones[j].Coordinates = "fraction"
			}
			if cam.Zones[j].Anchor == "" {
				cam.Zones[j].Anchor = "bottom_centre"
			}
			for k := range cam.Zones[j].Rules {
				r := &cam.Zones[j].Rules[k]
				if r.MinScore == 0 {
					r.MinScore = 0.4
				}
				fillChangeDefaults(r)
				fillAccumulateDefaults(r)
				if r.GapTolerance == 0 {
					r.GapTolerance = conf.Duration(5 * time.Second)
				}
			}
		}
	}
}

// fillChangeDefaults: structures are judged over hours, laundry over half
// an hour (it comes down in the evening).
func fillChangeDefaults(r *Rule) {
	c := &r.Change
	if c.Interval == 0 {
		c.Interval = conf.Duration(time.Minute)
	}
	if c.Checks == 0 {
		c.Checks = 3
	}
	if c.Span == 0 {
		c.Span = conf.Duration(2 * time.Hour)
		if r.Type == "street_laundry" {
			c.Span = conf.Duration(30 * time.Minute)
		}
	}
	if c.MinFraction == 0 {
		c.MinFraction = 0.15
	}
}
