package postgres

import (
	"bytes"
	"fmt"
)

// CaseCountsFill is the statement with which migration 0008_scale.sql
// counts the cases already there into case_counts. A bulk load that turns
// the counting trigger off while it copies (hack/bench cases) runs this
// same statement afterwards, so the two can never count differently.
func CaseCountsFill() (string, error) {
	const file = "migrations/0008_scale.sql"
	b, err := migrationFS.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("case counts: %w", err)
	}
	// The statement at the start of a line; the trigger function's own
	// INSERT, one row at a time, is indented inside its body.
	i := bytes.Index(b, []byte("\nINSERT INTO case_counts (dim, bucket, key, n)"))
	if i < 0 {
		return "", fmt.Errorf("case counts: no INSERT INTO case_counts at a line's start in %s", file)
	}
	i++
	n := bytes.IndexByte(b[i:], ';')
	if n < 0 {
		return "", fmt.Errorf("case counts: the INSERT in %s has no end", file)
	}
	return string(b[i : i+n]), nil
}
