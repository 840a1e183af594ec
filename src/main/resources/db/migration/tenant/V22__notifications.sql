-- In-app notifications: one row per recipient, in the tenant where its event happened. A user sees only their own
-- rows (the queries filter by user); row-level security keeps each tenant's to itself.
create table notifications (
    tenant_id   uuid        not null references platform.tenants (id),
    id          uuid        not null,   -- UUIDv7: creation order, the stream's event id
    user_id     uuid        not null,
    event_id    uuid        not null,   -- the envelope that caused it
    event_type  text        not null check (length(event_type) between 3 and 100),
    title       text        not null check (length(title) between 1 and 200),
    message     text        not null check (length(message) <= 2000),
    severity    text        not null check (severity in ('info', 'success', 'warning', 'error')),
    link        text        check (length(link) <= 500),
    created_at  timestamptz not null default now(),
    read_at     timestamptz,
    -- waits for the recipient's next mail digest (they opted into mail for its type)
    mail_pending boolean    not null default false,
    primary key (tenant_id, id)
);
create index notifications_of_user on notifications (tenant_id, user_id, id desc);
create index notifications_unread on notifications (tenant_id, user_id) where read_at is null;
create index notifications_mail_pending on notifications (tenant_id, user_id) where mail_pending;

-- Envelopes already turned into notifications: delivery is at least once, an envelope handed over again is dropped
-- (even when its notifications were deleted meanwhile).
create table notification_events (
    tenant_id   uuid        not null references platform.tenants (id),
    event_id    uuid        not null,
    handled_at  timestamptz not null default now(),
    primary key (tenant_id, event_id)
);

alter table notifications enable row level security;
alter table notifications force row level security;
create policy tenant_isolation on notifications
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table notification_events enable row level security;
alter table notification_events force row level security;
create policy tenant_isolation on notification_events
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
