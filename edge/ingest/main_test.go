package ingest

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: Run promises to close all it
// opened.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
