-- Placeholder on branch i16b only: this number is another branch's (i16a),
-- and migration numbers must run without gaps. Delete this file at merge,
-- when that branch's own migration takes the number.
SELECT 1;
