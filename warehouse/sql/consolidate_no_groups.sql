-- No shared partition in scope: no claim is matched, every claim is a result of its own.
CREATE OR REPLACE TEMP TABLE cc_groups (claim_id BIGINT, consolidated_id BIGINT, claims BIGINT)
