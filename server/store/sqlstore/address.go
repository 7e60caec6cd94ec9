package sqlstore

import "context"

// SetCaseAddress stores an address found after the case was opened (the
// address hook answers outside the report's transaction). It replaces
// whatever was there: the hook's answer is better than the nearest street.
// found is false when no such case exists yet or any more.
func (s *Store) SetCaseAddress(ctx context.Context, id, address string) (found bool, err error) {
	n, err := s.db.Exec(ctx, `UPDATE cases SET address = $1 WHERE id = $2`, address, id)
	if err != nil {
		return false, s.errorf("set case %s address: %w", id, err)
	}
	return n > 0, nil
}
