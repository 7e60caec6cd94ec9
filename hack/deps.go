//go:build tools

// Package hack pins module versions that the code will import; removed once
// every dependency is imported by real code.
package hack

import (
	_ "github.com/bluenviron/gortsplib/v4"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/stretchr/testify/require"
	_ "github.com/yalue/onnxruntime_go"
	_ "go.uber.org/goleak"
	_ "gocv.io/x/gocv"
	_ "google.golang.org/grpc"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)
