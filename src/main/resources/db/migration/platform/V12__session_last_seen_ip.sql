-- Where a session was last used: each refresh records its address (refreshes are not audit events).
alter table sessions add column last_seen_ip text;
