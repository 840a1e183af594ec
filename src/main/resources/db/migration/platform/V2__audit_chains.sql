-- One hash chain per tenant; the nil uuid is the platform's own chain. The head row is locked while
-- appending, which serialises appends per tenant and never across tenants.
create table audit_chain_heads (
    tenant_id       uuid primary key,
    seq             bigint  not null default 0,
    hash            bytea   not null,
    retention_days  integer not null default 365 check (retention_days between 1 and 36500)
);
