-- Single-use tokens for invitations, password resets and email verification. Tokens are 256-bit random
-- values mailed to a person; only their SHA-256 is kept.

-- Finds an invitation from its token before its tenant is known. The invitation itself is tenant data
-- (tenant.invitations), read under row-level security once this table has named the tenant.
create table invitation_tokens (
    token_hash     bytea primary key,
    tenant_id      uuid        not null references tenants (id),
    invitation_id  uuid        not null,
    unique (tenant_id, invitation_id)
);

-- A verification token carries the password chosen at sign-up: an account gets a password only from the
-- link its address received, so signing up first with someone else's address gains nothing.
create table account_tokens (
    token_hash     bytea primary key,
    user_id        uuid        not null references users (id),
    purpose        text        not null check (purpose in ('password_reset', 'email_verification')),
    password_hash  text,
    created_at     timestamptz not null default now(),
    expires_at     timestamptz not null,
    used_at        timestamptz
);
create index account_tokens_user on account_tokens (user_id, purpose) where used_at is null;

-- Self-registered accounts stay inactive until their address is verified; this tells them apart from
-- accounts an administrator deactivated, which verification must never reactivate.
create table registrations (
    user_id        uuid primary key references users (id),
    registered_at  timestamptz not null default now(),
    verified_at    timestamptz
);
