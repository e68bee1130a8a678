-- A project's forecast finish date beside its estimate at completion: its
-- last booked day after the snapshot, else its end date.
ALTER TABLE snapshots.forecasts ADD COLUMN finish DATE;
