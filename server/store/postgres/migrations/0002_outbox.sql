-- The outbox of case events for webhooks and MQTT: one row per event and
-- sink, written in the transaction of the case change, so that no change
-- goes unannounced and none is announced that did not happen. Replicas
-- lease due rows with FOR UPDATE SKIP LOCKED (lease_owner, lease_until),
-- deliver them, and mark them delivered or due again after a back-off.

CREATE TABLE outbox (
    seq          bigserial PRIMARY KEY,
    event_id     text NOT NULL,
    sink         text NOT NULL,
    kind         text NOT NULL,
    case_id      text NOT NULL,
    at           timestamptz NOT NULL,
    payload      text NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL,
    lease_owner  text NOT NULL DEFAULT '',
    lease_until  timestamptz,
    delivered_at timestamptz,
    last_error   text NOT NULL DEFAULT '',
    UNIQUE (event_id, sink)
);

CREATE INDEX outbox_due ON outbox (sink, next_at) WHERE delivered_at IS NULL;

-- Pruning looks only at delivered rows.
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
