-- Which notifications a user also wants by mail, by event type (run.failed) or family (run); a type's row wins over
-- its family's. In-app notifications are always on, so only mail is stored. A user's choice holds in every tenant.
create table notification_preferences (
    user_id     uuid        not null references users (id) on delete cascade,
    event       text        not null check (length(event) between 1 and 100),
    mail        boolean     not null,
    primary key (user_id, event)
);

-- Users with mail-worthy notifications waiting: one digest mail each when due_at comes, covering the tenants listed.
-- Only ids and times: the notifications themselves stay in their tenants' rows.
create table notification_digests (
    user_id     uuid        primary key references users (id) on delete cascade,
    tenant_ids  uuid[]      not null,
    due_at      timestamptz not null
);
create index notification_digests_due on notification_digests (due_at);
