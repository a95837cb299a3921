-- The home page lists the latest meetings by date: this index answers it without reading
-- every meeting's document (projections::read::At::latest_meetings writes the same
-- expression and the same view name, so the planner uses it).
CREATE INDEX view_documents_meetings_by_date ON view_documents (((body::json ->> 'date')) DESC, id DESC)
    WHERE view = 'meetings';
