-- Lichen gateway schema, version 3 (postgresql). Keep in step with ../sqlite/V3.sql.
-- CoAPS pre-shared keys, one per device (the DTLS identity is the device id). The key itself must
-- be kept: DTLS-PSK needs it, a hash would not do. psk is base64; it is never shown again after creation.
CREATE TABLE device_keys (
  device_id TEXT PRIMARY KEY,
  psk TEXT NOT NULL,
  created BIGINT NOT NULL
);
