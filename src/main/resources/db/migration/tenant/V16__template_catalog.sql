-- The template catalog: templates, their immutable versions (identified by the SHA-256 of their archive), the
-- archives themselves (content-addressed per tenant), grants and access requests for locked templates, and an
-- MSP's shares to its client tenants. Every table is tenant data under forced row-level security.
create table templates (
    tenant_id       uuid        not null references platform.tenants (id),
    id              uuid        not null,
    name            text        not null check (length(name) between 1 and 100),
    description     text        not null default '' check (length(description) <= 2000),
    driver          text        not null check (driver in ('ansible', 'kubernetes', 'opentofu', 'arm')),
    tags            text[]      not null default '{}',
    locked          boolean     not null default false,
    -- the newest version that is not yanked (semver order), kept by the application at publish and yank
    latest_version  text,
    created_by      uuid,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         bigint      not null default 0,
    -- what the catalog's search looks in, lower-cased once at write instead of for every row of every search
    search_text     text        generated always as (lower(name || ' ' || description)) stored,
    primary key (tenant_id, id)
);
create unique index templates_name on templates (tenant_id, lower(name));

create table template_archives (
    tenant_id   uuid        not null references platform.tenants (id),
    digest      text        not null check (digest ~ '^[0-9a-f]{64}$'),
    content     bytea       not null,
    size_bytes  bigint      not null,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, digest)
);
-- archives are compressed already: TOAST's own compression would spend a second on 20 MiB to gain nothing
alter table template_archives alter column content set storage external;

create table template_versions (
    tenant_id       uuid        not null,
    template_id     uuid        not null,
    version         text        not null check (length(version) between 5 and 128),
    digest          text        not null,
    size_bytes      bigint      not null,
    unpacked_bytes  bigint      not null,
    manifest        jsonb       not null,
    files           jsonb       not null,
    yanked          boolean     not null default false,
    yanked_at       timestamptz,
    yanked_by       uuid,
    yank_reason     text        check (length(yank_reason) <= 500),
    published_by    uuid,
    published_at    timestamptz not null default now(),
    primary key (tenant_id, template_id, version),
    foreign key (tenant_id, template_id) references templates (tenant_id, id) on delete cascade,
    foreign key (tenant_id, digest) references template_archives (tenant_id, digest)
);
create index template_versions_digest on template_versions (tenant_id, digest);

create table template_grants (
    tenant_id   uuid        not null,
    template_id uuid        not null,
    user_id     uuid        not null,
    granted_by  uuid,
    request_id  uuid,
    granted_at  timestamptz not null default now(),
    primary key (tenant_id, template_id, user_id),
    foreign key (tenant_id, template_id) references templates (tenant_id, id) on delete cascade
);

create table template_access_requests (
    tenant_id           uuid        not null,
    id                  uuid        not null,
    template_id         uuid        not null,
    requester_id        uuid        not null,
    requester_email     text        not null,
    reason              text        not null check (length(reason) between 1 and 1000),
    business_unit_id    uuid,
    status              text        not null default 'pending'
                                    check (status in ('pending', 'approved', 'rejected', 'revoked')),
    decided_by          uuid,
    decided_at          timestamptz,
    decision_comment    text        check (length(decision_comment) <= 1000),
    created_at          timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, template_id) references templates (tenant_id, id) on delete cascade
);
create unique index template_access_requests_pending on template_access_requests (tenant_id, template_id, requester_id)
    where status = 'pending';
create index template_access_requests_status on template_access_requests (tenant_id, status, id);

-- a share is the MSP's row: the client reads it (and the template) in the MSP's scope, never the other way round
create table template_shares (
    tenant_id           uuid        not null,
    id                  uuid        not null,
    template_id         uuid        not null,
    client_tenant_id    uuid        references platform.tenants (id),
    all_clients         boolean     not null default false,
    created_by          uuid,
    created_at          timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, template_id) references templates (tenant_id, id) on delete cascade,
    check (all_clients = (client_tenant_id is null))
);
create unique index template_shares_target on template_shares
    (tenant_id, template_id, coalesce(client_tenant_id, '00000000-0000-0000-0000-000000000000'));
create index template_shares_client on template_shares (tenant_id, client_tenant_id);

alter table templates enable row level security;
alter table templates force row level security;
alter table template_archives enable row level security;
alter table template_archives force row level security;
alter table template_versions enable row level security;
alter table template_versions force row level security;
alter table template_grants enable row level security;
alter table template_grants force row level security;
alter table template_access_requests enable row level security;
alter table template_access_requests force row level security;
alter table template_shares enable row level security;
alter table template_shares force row level security;

create policy tenant_isolation on templates
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on template_archives
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on template_versions
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on template_grants
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on template_access_requests
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on template_shares
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

