-- Supabase Vault's interface (vault.secrets, vault.decrypted_secrets,
-- vault.create_secret, vault.update_secret), owned by supabase_admin as on
-- hosted. Hosted encrypts with a key that lives outside the database; here
-- the key sits in a table no API role can read, which keeps secrets out of
-- dumps of the API roles. vault._decrypt stands for hosted's
-- vault._crypto_aead_det_decrypt.
create schema if not exists vault;

create table if not exists vault._root_key (
  id boolean primary key default true check (id),
  key text not null
);
insert into vault._root_key (key)
values (encode(extensions.gen_random_bytes(32), 'base64'))
on conflict (id) do nothing;
revoke all on vault._root_key from public;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';

create or replace function vault._encrypt(plaintext text) returns text
language sql volatile security definer set search_path = ''
as $$
  select encode(extensions.pgp_sym_encrypt(plaintext, (select key from vault._root_key)), 'base64')
$$;

create or replace function vault._decrypt(ciphertext text) returns text
language sql stable security definer set search_path = ''
as $$
  select extensions.pgp_sym_decrypt(decode(ciphertext, 'base64'), (select key from vault._root_key))
$$;

create or replace function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  rec record;
begin
  insert into vault.secrets (secret, name, description, key_id)
  values (vault._encrypt(new_secret), new_name, coalesce(new_description, ''), new_key_id)
  returning * into rec;
  return rec.id;
end
$$;

create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  new_key_id uuid default null
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update vault.secrets s
     set secret = case when new_secret is null then s.secret else vault._encrypt(new_secret) end,
         name = coalesce(new_name, s.name),
         description = coalesce(new_description, s.description),
         key_id = coalesce(new_key_id, s.key_id),
         updated_at = now()
   where s.id = secret_id;
end
$$;

create or replace view vault.decrypted_secrets as
select s.id, s.name, s.description, s.secret,
       vault._decrypt(s.secret) as decrypted_secret,
       s.key_id, s.nonce, s.created_at, s.updated_at
  from vault.secrets s;

-- Grants as supabase_vault's after-create script sets them on hosted:
-- postgres manages secrets through the functions and reads them through the
-- view (which calls the decrypting function as its reader, hence the
-- execute grant); service_role keeps what Vault <= 0.2.8 gave it. Nothing
-- for anon or authenticated, and the schema is not exposed through the API.
revoke all on schema vault from public;
revoke all on all tables in schema vault from public, anon, authenticated, service_role;
revoke all on all functions in schema vault from public, anon, authenticated, service_role;
grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid), vault._decrypt(text) to postgres with grant option;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid), vault._decrypt(text) to service_role;
