package web

import "github.com/xiuhua/xiuhua/server/cases"

// Chinese names of violation types and statuses; English is shown beside
// them in small print.
var violationLabels = map[string]string{
	"street_vending":    "占道经营",
	"outside_store":     "出店经营",
	"street_laundry":    "沿街晾晒",
	"illegal_structure": "乱搭乱建",
}

var statusLabels = cases.StatusLabels

func violationLabel(t string) string {
	if l, ok := violationLabels[t]; ok {
		return l
	}
	return t
}

func statusLabel(s string) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return s
}
