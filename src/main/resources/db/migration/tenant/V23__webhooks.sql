-- Outgoing webhooks: a tenant's receivers of its domain events. The signing secret is sealed by the secrets module
-- (AES-256-GCM under the tenant's data key, bound to tenant, table and id) and never shown after creation.
create table webhooks (
    tenant_id      uuid        not null references platform.tenants (id),
    id             uuid        not null,
    url            text        not null check (length(url) between 9 and 2048),
    description    text        not null default '' check (length(description) <= 500),
    -- @EventType names, or '*' for every type
    event_types    text[]      not null check (cardinality(event_types) between 1 and 100),
    sealed_secret  bytea       not null,
    enabled        boolean     not null default true,
    created_by     uuid,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    version        bigint      not null default 0,
    primary key (tenant_id, id)
);

-- One row per event and webhook: its status and what the last attempt got. The body is kept as it was first sent,
-- so every attempt (and a redelivery) carries the same bytes and event id; attempts are signed anew.
create table webhook_deliveries (
    tenant_id        uuid        not null,
    id               uuid        not null,
    webhook_id       uuid        not null,
    event_id         uuid        not null,
    event_type       text        not null,
    payload          text        not null,
    status           text        not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts         integer     not null default 0,
    response_code    integer,
    response_body    text,
    duration_ms      integer,
    last_error       text,
    next_attempt_at  timestamptz,
    -- no retry is scheduled after this; the delivery is failed instead
    retry_until      timestamptz not null,
    created_at       timestamptz not null default now(),
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, webhook_id) references webhooks (tenant_id, id) on delete cascade
);
-- an event handed to the fan-out twice (the outbox is at least once) still gives one delivery per webhook
create unique index webhook_deliveries_event on webhook_deliveries (tenant_id, webhook_id, event_id);
create index webhook_deliveries_history on webhook_deliveries (tenant_id, webhook_id, id desc);

alter table webhooks enable row level security;
alter table webhooks force row level security;
create policy tenant_isolation on webhooks
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table webhook_deliveries enable row level security;
alter table webhook_deliveries force row level security;
create policy tenant_isolation on webhook_deliveries
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
