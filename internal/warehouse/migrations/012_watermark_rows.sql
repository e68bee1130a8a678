-- Which rows of a raw table an incremental model saw at its watermark:
-- their count and a hash of their ids. While the rows changed at that very
-- time are the same, the next build reads only those changed after it; a
-- sync's last commit of many pages shares one time, and its records need
-- not be read again.
ALTER TABLE meta.model_state ADD COLUMN at_watermark VARCHAR;
