INSERT INTO sources (name, description, full_listing, registered_at)
VALUES ($name, $description, $full_listing, $now)
ON CONFLICT (name) DO UPDATE SET description = excluded.description, full_listing = excluded.full_listing
