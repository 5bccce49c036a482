-- Lichen gateway schema, version 2 (sqlite). Keep in step with ../postgresql/V2.sql.
-- The reading time since which a rule's condition has held (NULL: not holding), so that a restart
-- neither delays nor loses an alert whose duration runs across it.
ALTER TABLE alert_rules ADD COLUMN holding_since BIGINT;
