package warn

import (
	"testing"

	"go.uber.org/goleak"
)

// Every Play opens and closes its own RTSP client, and Run its workers:
// none may outlive the test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
