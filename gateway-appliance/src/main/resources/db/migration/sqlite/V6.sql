-- Lichen gateway schema, version 6 (sqlite). Keep in step with ../postgresql/V6.sql.
-- Commands for the devices' outputs, kept until the device acknowledges them or they expire.
-- A command's id on the wire is <epoch>-<id>: the epoch names this database, so a device that
-- moves to a new gateway (or a gateway whose database was made afresh) is not held to the ids of
-- the old one, and a device applies each command once, never an older one after a newer.
CREATE TABLE command_epoch (
  epoch TEXT NOT NULL
);
INSERT INTO command_epoch (epoch) SELECT lower(hex(randomblob(5)));
CREATE TABLE commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  output TEXT NOT NULL,
  kind TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  state TEXT NOT NULL,
  detail TEXT,
  origin TEXT NOT NULL,
  created BIGINT NOT NULL,
  expires BIGINT NOT NULL,
  finished BIGINT
);
CREATE INDEX commands_by_device ON commands (device_id, state, id);
CREATE INDEX commands_pending ON commands (state, expires);
-- The outputs each device announced (switch or dimmer), replaced by its next announcement.
CREATE TABLE device_outputs (
  device_id TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY (device_id, name)
);
