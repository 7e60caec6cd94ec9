-- The key a device's reports must be signed with, pinned at `server device
-- add -public-key` or at the device's first Hello (auth.device_keys), and
-- replaced only by `server device rekey`. NULL: none pinned yet.
ALTER TABLE device_credentials ADD COLUMN public_key BYTEA;
