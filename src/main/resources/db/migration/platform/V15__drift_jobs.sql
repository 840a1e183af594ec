-- a third kind of provisioning job: the scheduled drift check of a deployment
alter table provisioning_jobs drop constraint provisioning_jobs_kind_check;
alter table provisioning_jobs add constraint provisioning_jobs_kind_check check (kind in ('run', 'expire', 'drift'));
