package rules

// defaultClasses are the detector classes that count for each violation
// type when a rule lists none: the COCO names the shipped YOLOX-Nano model
// knows, then the names a city's own model is expected to use. Only those
// the loaded model has are kept (see DefaultClasses).
var defaultClasses = map[string][]string{
	"street_vending":    {"umbrella", "dining table", "chair", "bench", "suitcase", "stall", "cart", "goods"},
	"outside_store":     {"chair", "dining table", "bench", "potted plant", "suitcase", "rack", "goods", "table"},
	"street_laundry":    {"clothes", "quilt", "laundry"},
	"illegal_structure": {"canopy", "tent", "shed", "structure"},
	"demo_linger":       {"person"},
}

// DefaultClasses returns the classes of model (its class names) that count
// for violation type typ by default. An empty result means the model cannot
// see this type by class: street_laundry and illegal_structure then need
// change detection.
func DefaultClasses(typ string, model []string) []string {
	have := make(map[string]bool, len(model))
	for _, c := range model {
		have[c] = true
	}
	var out []string
	for _, c := range defaultClasses[typ] {
		if have[c] {
			out = append(out, c)
		}
	}
	return out
}
