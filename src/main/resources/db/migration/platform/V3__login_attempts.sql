-- Failed logins per email (hashed, whether or not an account exists, so a lockout reveals nothing).
create table login_attempts (
    email_hash         bytea primary key,
    failures           integer     not null,
    window_started_at  timestamptz not null,
    locked_until       timestamptz
);
