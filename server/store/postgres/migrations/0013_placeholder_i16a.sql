-- Placeholder on branch i16c for i16a's migration, which holds this number
-- on its own branch: delete this file when merging (it does nothing).
SELECT 1;
