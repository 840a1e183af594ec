-- Finds an API key from its secret before its tenant is known: SHA-256 of the whole secret (256 random
-- bits, so a fast hash is enough). The key itself is tenant data (tenant.api_keys). Revoking a key
-- deletes its row here.
create table api_key_hashes (
    key_hash   bytea primary key,
    tenant_id  uuid not null references tenants (id),
    key_id     uuid not null,
    unique (tenant_id, key_id)
);
