-- The model registry (issue 8): accepted model versions, immutable and
-- identified by sha256; device groups; rollouts of a version to a group
-- (the newest rollout naming a device's group is what it should run); and
-- what each device last reported about its model.

CREATE TABLE model_versions (
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    family       TEXT NOT NULL,
    input_width  INTEGER NOT NULL,
    input_height INTEGER NOT NULL,
    classes      TEXT NOT NULL DEFAULT '[]', -- JSON
    manifest     BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    PRIMARY KEY (name, version)
) STRICT;

CREATE TABLE device_groups (
    name       TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE device_group_members (
    group_name TEXT NOT NULL REFERENCES device_groups (name) ON DELETE CASCADE,
    device_id  TEXT NOT NULL,
    PRIMARY KEY (group_name, device_id)
) STRICT;

CREATE INDEX device_group_members_device ON device_group_members (device_id);

CREATE TABLE model_rollouts (
    id            INTEGER PRIMARY KEY,
    group_name    TEXT NOT NULL REFERENCES device_groups (name),
    model_name    TEXT NOT NULL,
    model_version TEXT NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    FOREIGN KEY (model_name, model_version) REFERENCES model_versions (name, version)
) STRICT;

CREATE INDEX model_rollouts_group ON model_rollouts (group_name, id);

CREATE TABLE device_models (
    device_id     TEXT PRIMARY KEY,
    state         TEXT NOT NULL,
    running       TEXT NOT NULL DEFAULT '{}', -- JSON ModelRef
    target        TEXT NOT NULL DEFAULT '{}', -- JSON ModelRef
    assignment_id TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    changed_at    TEXT,
    cameras       TEXT NOT NULL DEFAULT '[]', -- JSON
    last_failure  TEXT,                       -- JSON; NULL when none
    updated_at    TEXT NOT NULL
) STRICT;
