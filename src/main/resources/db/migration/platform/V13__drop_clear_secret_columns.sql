-- The clear-text forms of signing keys' private JWKs and TOTP secrets (V1, V5) go: since V8_1 new rows carry
-- only the sealed form, and every release since sealed the older rows at start-up (ClearSecretsSealing). Only the
-- application holds the master key, so this migration cannot seal a row itself: it refuses, changing nothing,
-- while any row is still in clear. The sealed columns then become required.
do $$
declare
    clear_keys   bigint;
    clear_totp   bigint;
begin
    select count(*) into clear_keys from signing_keys where jwk is not null or sealed_jwk is null;
    select count(*) into clear_totp from totp_credentials where totp_secret is not null or sealed_secret is null;
    if clear_keys > 0 or clear_totp > 0 then
        raise exception 'V13 refuses to drop the clear-text secret columns: % signing key(s) and % TOTP secret(s) are not sealed yet',
            clear_keys, clear_totp
            using hint = 'Start the previous Canopy release once (it seals them at start-up), then upgrade again.';
    end if;
end
$$;

alter table signing_keys drop constraint signing_keys_jwk_one_form;
alter table signing_keys drop column jwk;
alter table signing_keys alter column sealed_jwk set not null;

alter table totp_credentials drop constraint totp_credentials_secret_one_form;
alter table totp_credentials drop column totp_secret;
alter table totp_credentials alter column sealed_secret set not null;
