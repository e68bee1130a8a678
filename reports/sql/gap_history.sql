-- title: A finding's history
-- param: finding string
-- Everything that happened to one finding of the gaps ledger
-- (workflow.gap_events), oldest first: when a build found it, when its
-- money changed, when it stopped being found or came back, and every
-- status, snooze, assignment and comment, with who.
SELECT happened_at, kind, coalesce(actor, '') AS actor, detail
FROM workflow.gap_events
WHERE finding_key = $finding::VARCHAR
ORDER BY happened_at, rowid
