-- Sources are named lineages (issue 12): a snapshot's `source` is the lineage it belongs to (a configured entry, a
-- board's history), whose claims, removals, cursors and validators are its own; `kind` is the registered source that
-- parsed the payload, so that one lineage can hold payloads of several kinds over time (a page, a CSV hand copy, a
-- dump). Snapshots loaded before lineages were named keep their kind as their lineage's name.
ALTER TABLE snapshots ADD COLUMN kind VARCHAR;
UPDATE snapshots SET kind = source;
