-- The outbox of case events for webhooks and MQTT: one row per event and
-- sink, written in the transaction of the case change, so that no change
-- goes unannounced and none is announced that did not happen. A dispatcher
-- leases due rows (lease_owner, lease_until), delivers them, and marks them
-- delivered or due again after a back-off (next_at).

CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL,
    sink         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    at           TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT NOT NULL,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  TEXT NOT NULL DEFAULT '',
    delivered_at TEXT,
    last_error   TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, sink)
) STRICT;

-- Claims look only at undelivered rows.
CREATE INDEX outbox_due ON outbox (sink, next_at) WHERE delivered_at IS NULL;

-- Pruning looks only at delivered rows.
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
