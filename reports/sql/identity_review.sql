-- title: Identity review queue
-- Look-alike client records of different tools waiting for a decision
-- (marts.identity_review), most alike first.
SELECT id, left_name, left_source, right_name, right_source, similarity, revenue_at_stake, left_key, right_key
FROM marts.identity_review
ORDER BY similarity DESC, id
