-- Progress of re-encrypting an owner's secrets after its data key was rotated (shown by GET /api/v1/admin/keys
-- and resumed by any instance's sweep when the one that started it stopped).
alter table data_keys add column reencryption_started_at  timestamptz;
alter table data_keys add column reencryption_finished_at timestamptz;
alter table data_keys add column reencrypted_secrets      bigint not null default 0;
