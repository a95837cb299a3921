-- A token's scope: for a donor, the donor it speaks for; for a focal point, the country.
-- Reads scoped to a donor show its own trail and the programme totals, not other donors'.
ALTER TABLE api_tokens ADD COLUMN scope text;
