-- Officer accounts, their sessions, integration tokens and the registry of
-- edge devices with their tokens. Only hashes of secrets are kept.

CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY,
	user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	hash       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	revoked    BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE device_credentials (
	device_id  TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL,
	cameras    TEXT[] NOT NULL DEFAULT '{}', -- empty: any camera
	revoked    BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMPTZ NOT NULL
);
