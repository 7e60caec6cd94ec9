-- A city's year of cases (about a million; docs/scale.md, hack/bench cases).
-- (Numbered after the last migration on this branch; whoever merges renumbers
-- freely: every statement here stands on its own.)

-- The queue filtered by unit: without it the newest-first walk of the
-- primary key reads every other unit's cases too.
CREATE INDEX IF NOT EXISTS cases_unit ON cases (unit, id);
-- A unit's cases in one status (its cases to dispatch, to handle): without
-- it a status the unit seldom has walks all of the unit's cases.
CREATE INDEX IF NOT EXISTS cases_unit_status ON cases (unit, status, id);

-- Statistics without counting every case at every look: case_counts keeps,
-- per UTC day and per UTC month, how many cases were created with each
-- type, status and grid cell, and per hour and per quarter hour how many in
-- all (for days in any time zone whose offset is whole hours, or whole
-- quarter hours as India's and Nepal's). Triggers keep
-- it in step with cases in the same transaction; Stats reads whole months,
-- then whole days, and counts cases only for the parts of a range that are
-- not whole days.
CREATE TABLE case_counts (
    dim    text NOT NULL,        -- 'type', 'status', 'grid' (per day), the same with '_month', 'total' (per hour), 'total_15'
    bucket timestamptz NOT NULL, -- the start of the day or month (UTC), hour or quarter hour
    key    text NOT NULL,        -- the type, status or grid code; '' for 'total'
    n      bigint NOT NULL,
    PRIMARY KEY (dim, bucket, key)
);

-- case_counts_add adds d to the counts of case c in the given dimensions.
CREATE FUNCTION case_counts_add(c cases, d bigint, dims text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO case_counts AS cc (dim, bucket, key, n)
    SELECT v.dim, v.bucket, v.key, d FROM (VALUES
        ('type', date_trunc('day', c.created_at, 'UTC'), c.violation_type),
        ('status', date_trunc('day', c.created_at, 'UTC'), c.status),
        ('grid', date_trunc('day', c.created_at, 'UTC'), c.grid_code),
        ('type_month', date_trunc('month', c.created_at, 'UTC'), c.violation_type),
        ('status_month', date_trunc('month', c.created_at, 'UTC'), c.status),
        ('grid_month', date_trunc('month', c.created_at, 'UTC'), c.grid_code),
        ('total', date_trunc('hour', c.created_at, 'UTC'), ''),
        ('total_15', date_bin('15 minutes', c.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), '')
    ) AS v (dim, bucket, key)
    WHERE v.dim = ANY (dims)
    ON CONFLICT (dim, bucket, key) DO UPDATE SET n = cc.n + EXCLUDED.n;
$$;

-- A status change (the usual update) moves one count; a change of type,
-- grid cell or creation time moves the others.
CREATE FUNCTION case_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    dims text[] := '{}';
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        dims := ARRAY['type', 'status', 'grid', 'type_month', 'status_month', 'grid_month', 'total', 'total_15'];
    ELSE
        IF OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
            dims := dims || ARRAY['status', 'status_month'];
        END IF;
        IF OLD.violation_type IS DISTINCT FROM NEW.violation_type OR OLD.grid_code IS DISTINCT FROM NEW.grid_code
                OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
            dims := dims || ARRAY['type', 'grid', 'type_month', 'grid_month', 'total', 'total_15'];
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM case_counts_add(OLD, -1, dims);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM case_counts_add(NEW, 1, dims);
    END IF;
    RETURN NULL;
END $$;

-- The triggers first, then the counts of the cases already there: the
-- trigger's lock keeps other writers out until this commits.
CREATE TRIGGER case_counts_insert_delete AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION case_counts_follow();
CREATE TRIGGER case_counts_update AFTER UPDATE OF status, violation_type, grid_code, created_at ON cases
    FOR EACH ROW EXECUTE FUNCTION case_counts_follow();

INSERT INTO case_counts (dim, bucket, key, n)
    SELECT v.dim, v.bucket, v.key, count(*) FROM cases c, LATERAL (VALUES
        ('type', date_trunc('day', c.created_at, 'UTC'), c.violation_type),
        ('status', date_trunc('day', c.created_at, 'UTC'), c.status),
        ('grid', date_trunc('day', c.created_at, 'UTC'), c.grid_code),
        ('type_month', date_trunc('month', c.created_at, 'UTC'), c.violation_type),
        ('status_month', date_trunc('month', c.created_at, 'UTC'), c.status),
        ('grid_month', date_trunc('month', c.created_at, 'UTC'), c.grid_code),
        ('total', date_trunc('hour', c.created_at, 'UTC'), ''),
        ('total_15', date_bin('15 minutes', c.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), '')
    ) AS v (dim, bucket, key)
    GROUP BY 1, 2, 3;
