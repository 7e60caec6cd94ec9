package uplink

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc/credentials"
)

// deviceToken sends the device's bearer token with every call (gRPC
// metadata authorization: Bearer ...). A TokenFile is read at each call,
// so that an operator who fixes the file needs no restart: the queued
// reports then go out on the next attempt.
type deviceToken struct {
	token, file string
	// plaintext allows sending the token without TLS; Validate allows it
	// only to a loopback address.
	plaintext bool
}

var _ credentials.PerRPCCredentials = deviceToken{}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (d deviceToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	tok := d.token
	if d.file != "" {
		b, err := os.ReadFile(d.file)
		if err != nil {
			return nil, fmt.Errorf("server token file: %w", err)
		}
		tok = strings.TrimSpace(string(b))
	}
	if tok == "" {
		return nil, errors.New("server token file: empty")
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials: a
// token never travels in plaintext except over loopback.
func (d deviceToken) RequireTransportSecurity() bool { return !d.plaintext }
