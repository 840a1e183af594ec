-- An SSO login under way, between the redirect to the provider and its callback: found by the SHA-256 of
-- the state (256 random bits), deleted when used, so each is single use; valid a few minutes.
create table sso_login_states (
    state_hash     bytea primary key,
    tenant_id      uuid        not null references tenants (id),
    nonce          text        not null,
    code_verifier  text        not null,
    redirect_uri   text        not null,
    return_to      text        not null,
    created_at     timestamptz not null default now(),
    expires_at     timestamptz not null
);
create index sso_login_states_expiry on sso_login_states (expires_at);

-- A session started by a tenant's SSO is bound to that tenant: its provider vouched for the person there
-- only, so it cannot switch into the user's other tenants.
alter table sessions add column sso boolean not null default false;
