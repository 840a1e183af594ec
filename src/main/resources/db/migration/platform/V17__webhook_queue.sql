-- The queue of webhook attempts: one row per pending delivery, due at run_at. Deliveries of every tenant share it,
-- so it is platform data holding ids only; what is sent stays in the tenant's webhook_deliveries under row-level
-- security. Workers claim due rows with FOR UPDATE SKIP LOCKED and move run_at a lease ahead, so a row whose
-- worker died is claimed again when the lease ends; the row goes when its delivery is delivered or failed.
create table webhook_queue (
    delivery_id  uuid        primary key,
    tenant_id    uuid        not null references tenants (id) on delete cascade,
    run_at       timestamptz not null default now(),
    -- held by a worker (or a ping's request) until run_at; a redelivery does not take a leased row from it
    leased       boolean     not null default false,
    claims       integer     not null default 0
);
create index webhook_queue_due on webhook_queue (run_at);
