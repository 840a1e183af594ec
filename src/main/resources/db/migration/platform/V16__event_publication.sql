-- Spring Modulith's event publication registry (its v2 PostgreSQL schema): the transactional outbox. A domain
-- event's envelope gets one row per listener in the transaction of the change that caused it; the row is deleted
-- when the listener has handled it (completion-mode delete), so what stays are publications not yet handled
-- (in flight, failed, or left by an instance that stopped), resubmitted by the registry.
create table event_publication (
    id                     uuid        not null primary key,
    listener_id            text        not null,
    event_type             text        not null,
    serialized_event       text        not null,
    publication_date       timestamptz not null,
    completion_date        timestamptz,
    status                 text,
    completion_attempts    int,
    last_resubmission_date timestamptz
);
create index event_publication_serialized_event_hash_idx on event_publication using hash (serialized_event);
create index event_publication_incomplete on event_publication (publication_date) where completion_date is null;
