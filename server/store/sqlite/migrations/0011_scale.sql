-- A city's year of cases (docs/scale.md), as PostgreSQL's 0008_scale.sql.
-- (Numbered after the last migration on this branch; whoever merges renumbers
-- freely: every statement here stands on its own.)

CREATE INDEX IF NOT EXISTS cases_unit ON cases (unit, id);
CREATE INDEX IF NOT EXISTS cases_unit_status ON cases (unit, status, id);

-- case_counts: per UTC day and per UTC month the cases created with each
-- type, status and grid cell; per hour and per quarter hour all of them. Buckets are
-- times in the store's text form (YYYY-MM-DDTHH:MM:SS.000000000Z), so that
-- they compare with the bounds Stats passes as cases' times do.
CREATE TABLE case_counts (
    dim    TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key    TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (dim, bucket, key)
) STRICT, WITHOUT ROWID;

-- case_count_keys is where each case counts: one row per dimension.
CREATE VIEW case_count_keys AS
    SELECT id, dim, substr(created_at, 1, 10) || 'T00:00:00.000000000Z' AS bucket, key
        FROM (SELECT id, created_at, 'type' AS dim, violation_type AS key FROM cases
            UNION ALL SELECT id, created_at, 'status', status FROM cases
            UNION ALL SELECT id, created_at, 'grid', grid_code FROM cases)
    UNION ALL
    SELECT id, dim || '_month', substr(created_at, 1, 7) || '-01T00:00:00.000000000Z', key
        FROM (SELECT id, created_at, 'type' AS dim, violation_type AS key FROM cases
            UNION ALL SELECT id, created_at, 'status', status FROM cases
            UNION ALL SELECT id, created_at, 'grid', grid_code FROM cases)
    UNION ALL
    SELECT id, 'total', substr(created_at, 1, 13) || ':00:00.000000000Z', '' FROM cases
    UNION ALL
    SELECT id, 'total_15', substr(created_at, 1, 14)
        || printf('%02d', CAST(substr(created_at, 15, 2) AS INTEGER) / 15 * 15) || ':00.000000000Z', ''
        FROM cases;

-- The triggers count a case in when it is there and out before it changes
-- or goes. A status change (the usual update) moves the status counts; a
-- change of type, grid cell or creation time moves the others.
CREATE TRIGGER case_counts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_counts (dim, bucket, key, n)
        SELECT dim, bucket, key, 1 FROM case_count_keys WHERE id = NEW.id
        ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_counts_delete BEFORE DELETE ON cases BEGIN
    INSERT INTO case_counts (dim, bucket, key, n)
        SELECT dim, bucket, key, -1 FROM case_count_keys WHERE id = OLD.id
        ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_counts_update_out BEFORE UPDATE OF status, violation_type, grid_code, created_at ON cases
    WHEN OLD.status IS NOT NEW.status OR OLD.violation_type IS NOT NEW.violation_type
        OR OLD.grid_code IS NOT NEW.grid_code OR OLD.created_at IS NOT NEW.created_at BEGIN
    INSERT INTO case_counts (dim, bucket, key, n)
        SELECT dim, bucket, key, -1 FROM case_count_keys WHERE id = OLD.id
            AND (OLD.created_at IS NOT NEW.created_at
                OR (dim IN ('status', 'status_month') AND OLD.status IS NOT NEW.status)
                OR (dim NOT IN ('status', 'status_month')
                    AND (OLD.violation_type IS NOT NEW.violation_type OR OLD.grid_code IS NOT NEW.grid_code)))
        ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_counts_update_in AFTER UPDATE OF status, violation_type, grid_code, created_at ON cases
    WHEN OLD.status IS NOT NEW.status OR OLD.violation_type IS NOT NEW.violation_type
        OR OLD.grid_code IS NOT NEW.grid_code OR OLD.created_at IS NOT NEW.created_at BEGIN
    INSERT INTO case_counts (dim, bucket, key, n)
        SELECT dim, bucket, key, 1 FROM case_count_keys WHERE id = NEW.id
            AND (OLD.created_at IS NOT NEW.created_at
                OR (dim IN ('status', 'status_month') AND OLD.status IS NOT NEW.status)
                OR (dim NOT IN ('status', 'status_month')
                    AND (OLD.violation_type IS NOT NEW.violation_type OR OLD.grid_code IS NOT NEW.grid_code)))
        ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

INSERT INTO case_counts (dim, bucket, key, n)
    SELECT dim, bucket, key, count(*) FROM case_count_keys GROUP BY 1, 2, 3;
