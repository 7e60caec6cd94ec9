-- Officer accounts, their sessions, integration tokens and the registry of
-- edge devices with their tokens. Only hashes of secrets are kept.

CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY,
	user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	hash       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	revoked    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE device_credentials (
	device_id  TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL,
	cameras    TEXT NOT NULL DEFAULT '[]', -- JSON array of camera ids; empty: any
	revoked    INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL
) STRICT;
