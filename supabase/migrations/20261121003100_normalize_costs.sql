-- Cheaper per-message helpers of webhook ingestion; same results.
--
-- Each runs once per message of a batch, so their fixed costs add up:
-- an exception block starts a subtransaction on every call, and a statement
-- holding a subquery cannot take plpgsql's fast path for simple expressions
-- and goes through a full executor start each time.

create or replace function private.uuid7()
returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
  bytes bytea := uuid_send(gen_random_uuid());
begin
  -- version 7: the random v4 uuid has 0100 in the version nibble; make it 0111
  return encode(overlay(set_byte(bytes, 6, (get_byte(bytes, 6) & 15) | 112)
                        placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                        from 1 for 6), 'hex')::uuid;
end
$$;

create or replace function private.provider_ts(v jsonb)
returns timestamptz
language plpgsql immutable set search_path = ''
as $$
declare
  s text := v #>> '{}';
begin
  if v is null or v = 'null'::jsonb then
    return null;
  end if;
  -- Unix seconds, as Meta sends them, cannot fail: no exception block needed.
  if s ~ '^[0-9]{1,12}$' and jsonb_typeof(v) in ('number', 'string') then
    return to_timestamp(s::numeric);
  end if;
  begin
    if jsonb_typeof(v) = 'number' then
      return to_timestamp(s::numeric);
    elsif jsonb_typeof(v) = 'object' and v ? 'low' then
      return to_timestamp(((v ->> 'high')::numeric * 4294967296) + ((v ->> 'low')::bigint & 4294967295));
    elsif s ~ '^[0-9]+$' then
      return to_timestamp(s::numeric);
    else
      return s::timestamptz;
    end if;
  exception when others then
    return null;
  end;
end
$$;

create or replace function private.cloud_api_message(msg jsonb, contacts jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  t text := msg ->> 'type';
  obj jsonb := msg -> (msg ->> 'type');
  is_group boolean := msg ? 'group_id';
  push_name text;
  n jsonb;
begin
  -- Meta sends one contacts entry per sender; look further only if not first.
  if contacts #>> '{0,wa_id}' = msg ->> 'from' then
    push_name := contacts #>> '{0,profile,name}';
  else
    push_name := (select c #>> '{profile,name}' from jsonb_array_elements(coalesce(contacts, '[]'::jsonb)) c
                   where c ->> 'wa_id' = msg ->> 'from' limit 1);
  end if;
  n := jsonb_build_object(
    'provider_message_id', msg ->> 'id',
    'chat_type', case when is_group then 'group' else 'individual' end,
    'chat_id', case when is_group then msg ->> 'group_id' else msg ->> 'from' end,
    'participant', case when is_group then msg ->> 'from' end,
    'phone', msg ->> 'from',
    'push_name', push_name,
    'from_me', false,
    'type', case when t = 'unknown' then 'unsupported' else t end,
    'provider_type', case when t = 'interactive' then 'interactive.' || (obj ->> 'type') else t end,
    'timestamp', msg -> 'timestamp',
    'quoted_id', msg #>> '{context,id}',
    'forwarded', coalesce((msg #>> '{context,forwarded}')::boolean, false)
                 or coalesce((msg #>> '{context,frequently_forwarded}')::boolean, false),
    'forward_score', case when coalesce((msg #>> '{context,frequently_forwarded}')::boolean, false) then 5 else 0 end,
    'errors', msg -> 'errors',
    'payload', msg);

  if t in ('image', 'video', 'audio', 'document', 'sticker') then
    n := n || jsonb_build_object(
      'content', obj ->> 'caption',
      'media', jsonb_strip_nulls(jsonb_build_object(
        'id', obj ->> 'id', 'url', obj ->> 'url', 'mime_type', obj ->> 'mime_type', 'sha256', obj ->> 'sha256',
        'filename', obj ->> 'filename')));
  elsif t = 'text' then
    n := n || jsonb_build_object('content', obj ->> 'body');
  elsif t = 'location' then
    n := n || jsonb_build_object('content', coalesce(obj ->> 'name', obj ->> 'address'),
                                 'location', obj - 'url');
  elsif t = 'contacts' then
    n := n || jsonb_build_object('content',
      (select string_agg(c #>> '{name,formatted_name}', ', ') from jsonb_array_elements(obj) c));
  elsif t = 'reaction' then
    n := n || jsonb_build_object('content', obj ->> 'emoji',
      'reaction', jsonb_build_object('target_id', obj ->> 'message_id', 'emoji', obj ->> 'emoji'));
  elsif t = 'interactive' then
    n := n || jsonb_build_object('content', coalesce(obj #>> '{button_reply,title}', obj #>> '{list_reply,title}',
                                                     obj #>> '{nfm_reply,body}'));
  elsif t = 'button' then
    n := n || jsonb_build_object('content', obj ->> 'text');
  elsif t = 'order' then
    n := n || jsonb_build_object('content', coalesce(obj ->> 'text',
      format('Order of %s item(s)', jsonb_array_length(coalesce(obj -> 'product_items', '[]'::jsonb)))));
  elsif t = 'system' then
    n := n || jsonb_build_object('content', obj ->> 'body');
  end if;
  return n;
end
$$;
