// Package cases turns reports into cases and carries each case through the
// six stages of 数字化城市管理 (collect, file, dispatch, handle, report back,
// verify and close) by an explicit state machine: which step goes from which
// status to which, and which role may take it. The store applies a decided
// step atomically; this package decides.
package cases

// Case statuses, in workflow order.
const (
	StatusPendingReview = "pending_review" // 待审核: a camera found it, nobody has looked yet
	StatusFiled         = "filed"          // 立案
	StatusRejected      = "rejected"       // 不予立案: a false positive, with the reason
	StatusDispatched    = "dispatched"     // 已派遣
	StatusHandling      = "handling"       // 处置中
	StatusReported      = "reported"       // 已反馈
	StatusVerified      = "verified"       // 核查通过
	StatusClosed        = "closed"         // 结案
)

// Statuses lists every status in workflow order.
var Statuses = []string{
	StatusPendingReview, StatusFiled, StatusRejected, StatusDispatched,
	StatusHandling, StatusReported, StatusVerified, StatusClosed,
}

// StatusLabels are the Chinese names of the statuses.
var StatusLabels = map[string]string{
	StatusPendingReview: "待审核",
	StatusFiled:         "立案",
	StatusRejected:      "不予立案",
	StatusDispatched:    "已派遣",
	StatusHandling:      "处置中",
	StatusReported:      "已反馈",
	StatusVerified:      "核查通过",
	StatusClosed:        "结案",
}

// KnownStatus reports whether s is a case status.
func KnownStatus(s string) bool {
	_, ok := StatusLabels[s]
	return ok
}

// Open reports whether a case in status s still needs work: new reports of
// the same violation join it rather than open another case.
func Open(s string) bool { return KnownStatus(s) && !Terminal(s) }

// Terminal reports whether no step leaves status s.
func Terminal(s string) bool { return s == StatusRejected || s == StatusClosed }
