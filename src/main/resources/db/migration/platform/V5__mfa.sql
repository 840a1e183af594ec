-- TOTP multi-factor authentication (RFC 6238). It belongs to the user, not to a tenant: control plane.

-- One TOTP credential per user: pending until confirmed with a first code. totp_secret is the base32
-- shared secret, in clear until the secrets issue puts it under envelope encryption.
-- last_used_step is the newest 30-second step a code was accepted for: no code of that step or an
-- earlier one is accepted again.
create table totp_credentials (
    user_id         uuid primary key references users (id),
    totp_secret     text        not null,
    created_at      timestamptz not null default now(),
    confirmed_at    timestamptz,
    last_used_step  bigint
);

-- One-time recovery codes: 80-bit random values, only their SHA-256 is kept.
create table mfa_recovery_codes (
    user_id     uuid        not null references users (id),
    code_hash   bytea       not null,
    created_at  timestamptz not null default now(),
    used_at     timestamptz,
    primary key (user_id, code_hash)
);

-- The second step of a login: a password was right, a code is still due. The token is 256-bit random,
-- only its SHA-256 is kept; it is bound to the user, the tenant chosen at login and the client.
create table mfa_challenges (
    token_hash  bytea primary key,
    user_id     uuid        not null references users (id),
    tenant_id   uuid        not null references tenants (id),
    ip          text,
    user_agent  text,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    attempts    integer     not null default 0,
    used_at     timestamptz
);
create index mfa_challenges_expiry on mfa_challenges (expires_at);

-- How a session's user proved who they are beyond the password: null (password only), 'totp' or
-- 'recovery_code'.
alter table sessions add column mfa text check (mfa in ('totp', 'recovery_code'));

-- Tenant settings; a tenant that requires MFA tells members without it to enrol.
alter table tenants add column mfa_required boolean not null default false;
