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

// NumbersAndStageTimesFill are the statements with which migration
// 0016_numbers_stage_times.sql fills case_number_days from the cases'
// numbers and case_stage_times from their audit trails. A bulk load that
// gives the cases their numbers itself and turns the stage-times trigger
// off while it copies the trails (hack/bench cases) runs these afterwards.
func NumbersAndStageTimesFill() ([]string, error) {
	const file = "migrations/0016_numbers_stage_times.sql"
	b, err := migrationFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("stage times: %w", err)
	}
	var out []string
	for _, start := range []string{"\nINSERT INTO case_number_days (day, last)", "\nINSERT INTO case_stage_times (case_id, filed_at,"} {
		i := bytes.Index(b, []byte(start))
		if i < 0 {
			return nil, fmt.Errorf("stage times: no %q at a line's start in %s", start[1:], file)
		}
		i++
		n := bytes.IndexByte(b[i:], ';')
		if n < 0 {
			return nil, fmt.Errorf("stage times: the statement at %q in %s has no end", start[1:], file)
		}
		out = append(out, string(b[i:i+n]))
	}
	return out, nil
}
