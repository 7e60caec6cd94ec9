package web

import (
	"net/http"

	"github.com/xiuhua/xiuhua/server/auth"
)

// violationTypes are the four enforced types, in the order the filters
// list them.
var violationTypes = []string{"street_vending", "outside_store", "street_laundry", "illegal_structure"}

func violationLabel(lang, t string) string { return labelOr(lang, "type."+t, t) }

func statusLabel(lang, s string) string { return labelOr(lang, "status."+s, s) }

// principalOf is the signed-in officer or API token, nil on public pages.
func principalOf(r *http.Request) *auth.Principal { return auth.PrincipalFrom(r.Context()) }
