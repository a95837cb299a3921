-- The personal-data register: the clear values of the people the ledger names, OUTSIDE
-- the append-only tables. The ledger holds only each person's reference and a salted
-- commitment to these values; erasure sets the values and the salt to NULL (the row keeps
-- the reference, the country, when and why), so every record, chain and proof stays valid.
CREATE TABLE personal_data (
    person_ref text PRIMARY KEY,
    country text NOT NULL,
    name text,
    email text,
    phone text,
    salt text,
    commitment text NOT NULL,
    created_at text NOT NULL,
    erased_at text,
    erasure_reason_ref text,
    CHECK ((erased_at IS NULL AND name IS NOT NULL AND salt IS NOT NULL)
        OR (erased_at IS NOT NULL AND name IS NULL AND email IS NULL AND phone IS NULL AND salt IS NULL))
);
CREATE INDEX personal_data_country ON personal_data (country);
-- The application role updates (erases) and, when a registration is refused, deletes rows
-- here; the erasure's VACUUM runs as the migration owner (the table's owner).
DO $$
BEGIN
    GRANT SELECT, INSERT, UPDATE, DELETE ON personal_data TO ledger_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE WARNING 'could not grant personal_data to ledger_app';
END $$;
