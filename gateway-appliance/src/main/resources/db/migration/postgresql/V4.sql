-- Lichen gateway schema, version 4 (postgresql). Keep in step with ../sqlite/V4.sql.
-- The audit trail of the Security page: who did what to whom, when and from where (adoptions,
-- rejections, removals, key rotations and revocations, logins, accounts and tokens). Append only.
CREATE TABLE audit (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  address TEXT,
  action TEXT NOT NULL,
  subject TEXT,
  detail TEXT
);
