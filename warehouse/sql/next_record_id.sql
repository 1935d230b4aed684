SELECT nextval('sota_record_ids')
