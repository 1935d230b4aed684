-- Where one outbox row stands after a mark (a lake refuses UPDATE ... RETURNING).
SELECT status, attempts FROM alert_outbox WHERE outbox_id = $outbox_id
