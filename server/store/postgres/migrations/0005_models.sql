-- (PostgreSQL migrations are numbered on their own: this is 0008 in SQLite.)
-- The model registry (issue 8): accepted model versions, immutable and
-- identified by sha256; device groups; rollouts of a version to a group
-- (the newest rollout naming a device's group is what it should run); and
-- what each device last reported about its model.

CREATE TABLE model_versions (
    name         text NOT NULL,
    version      text NOT NULL,
    sha256       text NOT NULL,
    size         bigint NOT NULL,
    family       text NOT NULL,
    input_width  integer NOT NULL,
    input_height integer NOT NULL,
    classes      text NOT NULL DEFAULT '[]', -- JSON
    manifest     bytea NOT NULL,
    uploaded_by  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE device_groups (
    name       text PRIMARY KEY,
    updated_at timestamptz NOT NULL
);

CREATE TABLE device_group_members (
    group_name text NOT NULL REFERENCES device_groups (name) ON DELETE CASCADE,
    device_id  text NOT NULL,
    PRIMARY KEY (group_name, device_id)
);

CREATE INDEX device_group_members_device ON device_group_members (device_id);

CREATE TABLE model_rollouts (
    id            bigserial PRIMARY KEY,
    group_name    text NOT NULL REFERENCES device_groups (name),
    model_name    text NOT NULL,
    model_version text NOT NULL,
    created_by    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    FOREIGN KEY (model_name, model_version) REFERENCES model_versions (name, version)
);

CREATE INDEX model_rollouts_group ON model_rollouts (group_name, id);

CREATE TABLE device_models (
    device_id     text PRIMARY KEY,
    state         text NOT NULL,
    running       text NOT NULL DEFAULT '{}', -- JSON ModelRef
    target        text NOT NULL DEFAULT '{}', -- JSON ModelRef
    assignment_id text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    changed_at    timestamptz,
    cameras       text NOT NULL DEFAULT '[]', -- JSON
    last_failure  text,                       -- JSON; NULL when none
    updated_at    timestamptz NOT NULL
);
