-- pg_net's interface: net.http_get/http_post/http_delete queue a request and
-- return its id; the local worker (scripts/services/net-worker.ts) performs it and
-- records the answer in net._http_response. A request inserted by a
-- transaction that rolls back never becomes visible, so it is never sent,
-- which is pg_net's send-after-commit behaviour.
create schema if not exists net;

do $$ begin
  if not exists (select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
                  where n.nspname = 'net' and t.typname = 'http_method') then
    create domain net.http_method as text
      check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
end $$;

create unlogged table if not exists net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds int not null
);

create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);

-- The worker LISTENs on this channel; NOTIFY is delivered only on commit.
create or replace function net._wake_worker() returns trigger
language plpgsql
as $$
begin
  perform pg_notify('pg_net_worker', '');
  return null;
end
$$;

drop trigger if exists wake_worker on net.http_request_queue;
create trigger wake_worker after insert on net.http_request_queue
  for each statement execute function net._wake_worker();

create or replace function net.wake() returns void
language sql
as $$ select pg_notify('pg_net_worker', '') $$;

create or replace function net._urlencode_string(string varchar) returns text
language sql immutable strict
as $$
  select coalesce(string_agg(
    case when ch ~ '^[A-Za-z0-9_.~-]$' then ch
         else regexp_replace(upper(encode(convert_to(ch, 'UTF8'), 'hex')), '(..)', '%\1', 'g')
    end, '' order by ord), '')
  from regexp_split_to_table(string, '') with ordinality as t(ch, ord)
$$;

create or replace function net._encode_url_with_params_array(url text, params_array text[]) returns text
language sql immutable strict
as $$
  select case
    when cardinality(params_array) = 0 then url
    else url || case when url like '%?%' then '&' else '?' end || array_to_string(params_array, '&')
  end
$$;

create or replace function net._params_array(params jsonb) returns text[]
language sql immutable
as $$
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  from jsonb_each_text(coalesce(params, '{}'::jsonb))
$$;

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql volatile parallel safe strict set search_path = net
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, net._params_array(params)), headers, timeout_milliseconds)
  returning id into request_id;
  return request_id;
end
$$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql volatile parallel safe set search_path = net
as $$
declare
  request_id bigint;
  content_type text;
begin
  select header_value into content_type
    from jsonb_each_text(coalesce(headers, '{}'::jsonb)) r(header_name, header_value)
   where lower(header_name) = 'content-type'
   limit 1;
  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  end if;
  if content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;
  if body is null then
    raise exception 'body must not be null';
  end if;
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._encode_url_with_params_array(url, net._params_array(params)), headers,
          convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  return request_id;
end
$$;

create or replace function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000,
  body jsonb default null
) returns bigint
language plpgsql volatile parallel safe set search_path = net
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('DELETE', net._encode_url_with_params_array(url, net._params_array(params)), headers,
          convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  return request_id;
end
$$;

-- pg_net 0.12 and later (hosted today): the request functions are SECURITY
-- INVOKER and PUBLIC may use the schema, its tables and sequences; hosted's
-- event trigger adds explicit usage for the API roles. The schema belongs
-- to supabase_admin, which installs pg_net on hosted.
alter schema net owner to supabase_admin;
grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
grant usage on schema net to supabase_functions_admin, postgres, anon, authenticated, service_role;
grant execute on function net.http_get(text, jsonb, jsonb, int),
  net.http_post(text, jsonb, jsonb, jsonb, int),
  net.http_delete(text, jsonb, jsonb, int, jsonb) to public;
