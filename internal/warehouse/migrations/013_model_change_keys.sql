-- A partitioned model with a key ("-- partition: entry_date, person_key")
-- notes the key of each day it changed: a dependent with the same key
-- rebuilds that person's day, not everyone's. NULL is every row of the day.
ALTER TABLE meta.model_changes ADD COLUMN key VARCHAR;
