-- Per-tenant OIDC single sign-on. One configuration per tenant; the client secret is sealed by the secrets
-- service (envelope encryption bound to tenant, table and record) and opened only to call the provider.
create table sso_configs (
    tenant_id                  uuid        not null references platform.tenants (id),
    preset                     text        not null check (preset in ('entra_id', 'keycloak', 'google', 'generic')),
    issuer                     text        not null check (length(issuer) between 8 and 500),
    client_id                  text        not null check (length(client_id) between 1 and 255),
    client_secret_sealed       bytea       not null,
    scopes                     text[]      not null check (cardinality(scopes) between 1 and 20),
    groups_claim               text        not null check (length(groups_claim) between 1 and 100),
    email_claim                text        not null check (length(email_claim) between 1 and 100),
    auth_mode                  text        not null check (auth_mode in ('local', 'sso', 'both')),
    provisioning_enabled       boolean     not null default false,
    default_role               text        not null,
    allowed_email_domains      text[]      not null default '{}',
    allowed_groups             text[]      not null default '{}',
    group_role_mapping         jsonb       not null default '{}' check (jsonb_typeof(group_role_mapping) = 'object'),
    sync_attributes_on_login   boolean     not null default true,
    created_at                 timestamptz not null default now(),
    updated_at                 timestamptz not null default now(),
    version                    bigint      not null default 0,
    primary key (tenant_id)
);

alter table sso_configs enable row level security;
alter table sso_configs force row level security;

create policy tenant_isolation on sso_configs
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

-- Who a provider's subject is in Canopy: (tenant, issuer, subject) -> user. The same person may have
-- different subjects in different tenants; a user has at most one subject per issuer in a tenant.
create table sso_identities (
    tenant_id      uuid        not null references platform.tenants (id),
    issuer         text        not null check (length(issuer) between 8 and 500),
    subject        text        not null check (length(subject) between 1 and 255),
    user_id        uuid        not null references platform.users (id),
    email          text        not null check (length(email) <= 320),
    created_at     timestamptz not null default now(),
    last_login_at  timestamptz not null default now(),
    primary key (tenant_id, issuer, subject),
    unique (tenant_id, issuer, user_id)
);
create index sso_identities_user on sso_identities (tenant_id, user_id);

alter table sso_identities enable row level security;
alter table sso_identities force row level security;

create policy tenant_isolation on sso_identities
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
