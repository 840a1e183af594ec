-- Signing keys' private JWKs and TOTP secrets go under envelope encryption (platform scope). New rows carry
-- only the sealed column; rows written before this migration keep their clear value until Canopy's start-up
-- seals them (ClearSecretsSealing), because only the application holds the master key. Exactly one of the two
-- columns is set; a later migration can drop the clear ones once every installation has started once.
alter table signing_keys add column sealed_jwk bytea;
alter table signing_keys alter column jwk drop not null;
alter table signing_keys add constraint signing_keys_jwk_one_form check ((jwk is null) <> (sealed_jwk is null));

alter table totp_credentials add column sealed_secret bytea;
alter table totp_credentials alter column totp_secret drop not null;
alter table totp_credentials add constraint totp_credentials_secret_one_form
    check ((totp_secret is null) <> (sealed_secret is null));
