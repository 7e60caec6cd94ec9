-- A city's year of cases (docs/scale.md), as PostgreSQL's 0008_scale.sql.
-- (Numbered after the last migration on this branch; whoever merges renumbers
-- freely: every statement here stands on its own.)

CREATE INDEX IF NOT EXISTS cases_unit ON cases (unit, id);

-- case_counts: per UTC day the cases created with each type, status and
-- grid cell; per quarter hour all of them. Buckets are times in the
-- store's text form (YYYY-MM-DDTHH:MM:SS.000000000Z), so that they compare
-- with the bounds Stats passes as cases' times do.
CREATE TABLE case_counts (
    dim    TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key    TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (dim, bucket, key)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER case_counts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_counts (dim, bucket, key, n) VALUES
        ('type', substr(NEW.created_at, 1, 10) || 'T00:00:00.000000000Z', NEW.violation_type, 1),
        ('status', substr(NEW.created_at, 1, 10) || 'T00:00:00.000000000Z', NEW.status, 1),
        ('grid', substr(NEW.created_at, 1, 10) || 'T00:00:00.000000000Z', NEW.grid_code, 1),
        ('total', substr(NEW.created_at, 1, 14) || printf('%02d', CAST(substr(NEW.created_at, 15, 2) AS INTEGER) / 15 * 15)
            || ':00.000000000Z', '', 1)
    ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_counts_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_counts (dim, bucket, key, n) VALUES
        ('type', substr(OLD.created_at, 1, 10) || 'T00:00:00.000000000Z', OLD.violation_type, -1),
        ('status', substr(OLD.created_at, 1, 10) || 'T00:00:00.000000000Z', OLD.status, -1),
        ('grid', substr(OLD.created_at, 1, 10) || 'T00:00:00.000000000Z', OLD.grid_code, -1),
        ('total', substr(OLD.created_at, 1, 14) || printf('%02d', CAST(substr(OLD.created_at, 15, 2) AS INTEGER) / 15 * 15)
            || ':00.000000000Z', '', -1)
    ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

-- A status change (the usual update) moves one count; a change of type,
-- grid cell or creation time moves the others. The two triggers touch
-- disjoint dimensions, so an update that changes both kinds counts once.
CREATE TRIGGER case_counts_status AFTER UPDATE OF status, created_at ON cases
    WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at BEGIN
    INSERT INTO case_counts (dim, bucket, key, n) VALUES
        ('status', substr(OLD.created_at, 1, 10) || 'T00:00:00.000000000Z', OLD.status, -1)
    ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO case_counts (dim, bucket, key, n) VALUES
        ('status', substr(NEW.created_at, 1, 10) || 'T00:00:00.000000000Z', NEW.status, 1)
    ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_counts_other AFTER UPDATE OF violation_type, grid_code, created_at ON cases
    WHEN OLD.violation_type IS NOT NEW.violation_type OR OLD.grid_code IS NOT NEW.grid_code
        OR OLD.created_at IS NOT NEW.created_at BEGIN
    INSERT INTO case_counts (dim, bucket, key, n) VALUES
        ('type', substr(OLD.created_at, 1, 10) || 'T00:00:00.000000000Z', OLD.violation_type, -1),
        ('grid', substr(OLD.created_at, 1, 10) || 'T00:00:00.000000000Z', OLD.grid_code, -1),
        ('total', substr(OLD.created_at, 1, 14) || printf('%02d', CAST(substr(OLD.created_at, 15, 2) AS INTEGER) / 15 * 15)
            || ':00.000000000Z', '', -1)
    ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO case_counts (dim, bucket, key, n) VALUES
        ('type', substr(NEW.created_at, 1, 10) || 'T00:00:00.000000000Z', NEW.violation_type, 1),
        ('grid', substr(NEW.created_at, 1, 10) || 'T00:00:00.000000000Z', NEW.grid_code, 1),
        ('total', substr(NEW.created_at, 1, 14) || printf('%02d', CAST(substr(NEW.created_at, 15, 2) AS INTEGER) / 15 * 15)
            || ':00.000000000Z', '', 1)
    ON CONFLICT (dim, bucket, key) DO UPDATE SET n = n + excluded.n;
END;

INSERT INTO case_counts (dim, bucket, key, n)
    SELECT 'type', substr(created_at, 1, 10) || 'T00:00:00.000000000Z', violation_type, count(*) FROM cases GROUP BY 2, 3
    UNION ALL
    SELECT 'status', substr(created_at, 1, 10) || 'T00:00:00.000000000Z', status, count(*) FROM cases GROUP BY 2, 3
    UNION ALL
    SELECT 'grid', substr(created_at, 1, 10) || 'T00:00:00.000000000Z', grid_code, count(*) FROM cases GROUP BY 2, 3
    UNION ALL
    SELECT 'total', substr(created_at, 1, 14) || printf('%02d', CAST(substr(created_at, 15, 2) AS INTEGER) / 15 * 15)
        || ':00.000000000Z', '', count(*) FROM cases GROUP BY 2;
