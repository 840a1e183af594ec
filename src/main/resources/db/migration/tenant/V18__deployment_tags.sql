-- A deployment's tags once more, a row each, so a tag filter walks one btree in id order and stops at the page's
-- end whatever the tag's selectivity (a GIN index over the jsonb finds rare tags fast, but the planner cannot tell
-- rare from common and walks the whole id order for a rare one). deployments.tags stays what is shown.
create table deployment_tags (
    tenant_id       uuid    not null,
    deployment_id   uuid    not null,
    key             text    not null,
    value           text    not null,
    primary key (tenant_id, key, value, deployment_id),
    foreign key (tenant_id, deployment_id) references deployments (tenant_id, id) on delete cascade
);
create index deployment_tags_of on deployment_tags (tenant_id, deployment_id);

insert into deployment_tags (tenant_id, deployment_id, key, value)
select d.tenant_id, d.id, t.key, t.value from deployments d cross join lateral jsonb_each_text(d.tags) t;

alter table deployment_tags enable row level security;
alter table deployment_tags force row level security;
create policy tenant_isolation on deployment_tags
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

-- the jsonb's GIN index served tag filters until now; this table does
drop index deployments_tags;
