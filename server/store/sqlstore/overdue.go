package sqlstore

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
)

// overdueTerms turns an overdue filter into a WHERE term and the case's
// due time as an expression (whole seconds since 1970). Each status
// with a deadline is one range of the (status, status_since) index,
// entered before At less the deadline; the due time is status_since plus
// the deadline, so that the order, and a cursor into it, stays the same
// however late the next page is asked for. ok is false when no status
// has a deadline: nothing is overdue.
func (s *Store) overdueTerms(o *store.OverdueFilter, p *params) (where, due string, ok bool) {
	statuses := make([]string, 0, len(o.Deadlines))
	for st, d := range o.Deadlines {
		if d > 0 {
			statuses = append(statuses, st)
		}
	}
	if len(statuses) == 0 {
		return "", "", false
	}
	slices.Sort(statuses) // the same statement text for the same deadlines
	var or, whens []string
	for _, st := range statuses {
		d := o.Deadlines[st]
		ph := p.add(st)
		or = append(or, "(c.status = "+ph+" AND c.status_since < "+p.add(o.At.Add(-d))+")")
		whens = append(whens, "WHEN "+ph+" THEN "+strconv.FormatInt(int64(d.Seconds()), 10))
	}
	due = "(" + s.dialect.Epoch("c.status_since") + " + CASE c.status " + strings.Join(whens, " ") + " ELSE 0 END)"
	return "(" + strings.Join(or, " OR ") + ")", due, true
}

// overdueCursor is a page's last case in the overdue order: its due time
// and id.
func overdueCursor(c store.Case, o *store.OverdueFilter) string {
	due := c.StatusSince.Unix() + int64(o.Deadlines[c.Status].Seconds())
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(due, 10) + ":" + c.ID))
}

func parseOverdueCursor(cur string) (due int64, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(cur)
	if err != nil {
		return 0, "", store.ErrBadCursor
	}
	n, id, ok := strings.Cut(string(b), ":")
	due, err = strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || !caseid.Valid(id) {
		return 0, "", store.ErrBadCursor
	}
	return due, id, nil
}

// listOverdue is ListCases with an overdue filter: most overdue first
// (the earliest due time), ties by id.
func (s *Store) listOverdue(ctx context.Context, f store.CaseFilter, where []string, p params, limit int) (store.CasePage, error) {
	term, due, ok := s.overdueTerms(f.Overdue, &p)
	if !ok {
		return store.CasePage{}, nil
	}
	where = append(where, term)
	if f.Cursor != "" {
		d, id, err := parseOverdueCursor(f.Cursor)
		if err != nil {
			return store.CasePage{}, err
		}
		dp := p.add(d)
		where = append(where, "("+due+" > "+dp+" OR ("+due+" = "+dp+" AND c.id > "+p.add(id)+"))")
	}
	q := "SELECT " + caseColumns
	if f.NoThumbnails {
		q = "SELECT " + caseColumnsNoThumbnail
	}
	q += " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + due + ", c.id LIMIT " + p.add(limit+1)
	cases, err := queryAll(ctx, s.db, scanCase, q, p...)
	if err != nil {
		return store.CasePage{}, s.errorf("list overdue cases: %w", err)
	}
	page := store.CasePage{Cases: cases}
	if len(page.Cases) > limit {
		page.Cases = page.Cases[:limit]
		page.NextCursor = overdueCursor(page.Cases[limit-1], f.Overdue)
	}
	return page, nil
}
