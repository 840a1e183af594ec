-- Envelope encryption. The master key (CANOPY_MASTER_KEY or <data-dir>/master.key) never reaches the
-- database; it encrypts the versions of the key-encryption key (KEK). The newest unretired KEK version
-- wraps every owner's data keyset; rotation adds a version and re-wraps the data keysets in the background.
create table key_encryption_keys (
    version      integer     primary key check (version > 0),
    wrapped_key  bytea       not null,   -- a Tink keyset encrypted with the master key
    created_at   timestamptz not null default now(),
    retired_at   timestamptz             -- set once no data keyset is wrapped by it any more
);

-- One Tink AEAD keyset per owner: a tenant, or the platform itself (the nil UUID, which is why there is no
-- foreign key to tenants). The keyset holds every data key the owner ever had; the primary one seals.
-- Wrapped keysets are not secret without the KEK, so they are control-plane data that the re-wrap job can
-- walk across all tenants.
create table data_keys (
    tenant_id       uuid        primary key,
    kek_version     integer     not null references key_encryption_keys (version),
    wrapped_keyset  bytea       not null,
    created_at      timestamptz not null default now(),
    rewrapped_at    timestamptz,
    rotated_at      timestamptz
);
create index data_keys_kek_version on data_keys (kek_version);
