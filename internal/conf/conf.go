// Package conf loads YAML configuration files strictly and reports invalid
// values in one shape for both binaries: the field, the value, and what is
// allowed. Callers exit with status 2 on any error from here.
package conf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// FieldError says which configuration field is wrong and what would be right.
type FieldError struct {
	Field   string // dotted path, e.g. "cameras[0].url"
	Value   any    // the offending value as read
	Allowed string // what the field accepts
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: invalid value %s: allowed: %s", e.Field, quote(e.Value), e.Allowed)
}

func quote(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case nil:
		return "(empty)"
	default:
		return fmt.Sprintf("%v", v)
	}
}

// Errors collects every problem of one file so an operator fixes them in
// one pass instead of one restart per mistake.
type Errors []error

// Add appends a FieldError.
func (e *Errors) Add(field string, value any, allowed string) {
	*e = append(*e, &FieldError{Field: field, Value: value, Allowed: allowed})
}

// Err returns nil when nothing was added.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

func (e Errors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap lets errors.As find a FieldError inside.
func (e Errors) Unwrap() []error { return e }

// LoadFile decodes path into out, which must already hold the defaults.
// Unknown keys are errors: a typo must not silently fall back to a default.
func LoadFile(path string, out any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config %q: %w", path, err)
	}
	if err := Decode(data, out); err != nil {
		return fmt.Errorf("config %q: %w", path, err)
	}
	return nil
}

// Decode decodes YAML strictly into out.
func Decode(data []byte, out any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file keeps the defaults
		}
		return err
	}
	return nil
}
