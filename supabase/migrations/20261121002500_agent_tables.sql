-- The per-agent tables of seed 003, made by create_agent() and removed by
-- drop_agent(). Every identifier comes from the agent's numeric id and goes
-- through format('%I'); no caller text ever reaches DDL. The rules the
-- tables share (order totals and workflow, item totals, phone format,
-- sending) are a few trigger functions here, parameterized by table names,
-- so an agent costs tables and indexes, not functions.

-- Rules the generated tables call ---------------------------------------------------------

-- Accepts "+55 11 91234-5678" or "5511912345678" and stores "+5511912345678";
-- the column's check refuses what is still not E.164.
create function private.agent_customer_phone()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.phone ~ '^\+?[0-9 ().-]+$' then
    new.phone := '+' || regexp_replace(new.phone, '[^0-9]', '', 'g');
  end if;
  return new;
end
$$;

create function private.agent_item_total()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.total := new.quantity * new.price;
  return new;
end
$$;

-- The order a status may move to next; cancelled before shipping, refunded
-- once confirmed (paid), nothing after either.
create function private.agent_order_next(s public.order_status)
returns public.order_status[]
language sql immutable set search_path = ''
as $$
  select case s
    when 'pending' then '{confirmed,cancelled}'
    when 'confirmed' then '{processing,cancelled,refunded}'
    when 'processing' then '{shipped,cancelled,refunded}'
    when 'shipped' then '{delivered,refunded}'
    when 'delivered' then '{refunded}'
    else '{}'
  end::public.order_status[]
$$;
comment on function private.agent_order_next(public.order_status) is
  'Order workflow: pending -> confirmed -> processing -> shipped -> delivered; cancelled from pending, confirmed or processing; refunded from confirmed on.';

-- An order's total is always the sum of its items (the seed's own example
-- inserts the expected total first; it is replaced, not trusted), its
-- status follows the workflow and updated_at moves with any change.
-- tg_argv[0]: the agent's items table.
create function private.agent_order_rules()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.status is null then
    raise exception 'an order needs a status' using errcode = '23502';
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception 'a new order starts pending, not %', new.status using errcode = '55000';
    end if;
    new.total_amount := 0;
    return new;
  end if;
  if new.status <> old.status and not new.status = any (private.agent_order_next(old.status)) then
    raise exception 'order % cannot go from % to %', old.id, old.status, new.status using errcode = '55000',
      hint = case when cardinality(private.agent_order_next(old.status)) = 0 then old.status || ' is final'
                  else 'next: ' || array_to_string(private.agent_order_next(old.status), ', ') end;
  end if;
  execute format('select coalesce(sum(i.total), 0) from public.%I i where i.order_id = $1', tg_argv[0])
    into new.total_amount using new.id;
  if to_jsonb(new) - 'updated_at' is distinct from to_jsonb(old) - 'updated_at' then
    new.updated_at := localtimestamp;
  end if;
  return new;
end
$$;

-- Items changed: their orders recompute (agent_order_rules does the sum).
-- tg_argv[0]: the agent's orders table.
create function private.agent_items_changed()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  execute format('update public.%I o set updated_at = localtimestamp where o.id = any ($1)', tg_argv[0])
    using array_remove(array[case when tg_op <> 'DELETE' then new.order_id end,
                             case when tg_op <> 'INSERT' then old.order_id end], null);
  return null;
end
$$;

-- Table making ------------------------------------------------------------------------------

create function private.agent_table_name(p_agent bigint, kind public.agent_table_kind)
returns text
language sql immutable strict set search_path = ''
as $$
  select 'agt_' || p_agent::text || '_' || kind::text
$$;

-- Policies: one per command, each asking private.can_reach_agent(<id>) once
-- per statement (an init plan: the id is a constant).
create function private.agent_policies(p_table text, p_agent bigint)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  verb text;
  reach text := format('(select private.can_reach_agent(%s::bigint))', p_agent);
begin
  foreach verb in array array['select', 'insert', 'update', 'delete'] loop
    continue when exists (select 1 from pg_catalog.pg_policies p
                           where p.schemaname = 'public' and p.tablename = p_table and p.policyname = p_table || '_' || verb);
    execute format('create policy %I on public.%I for %s to authenticated %s', p_table || '_' || verb, p_table, verb,
                   case verb when 'insert' then format('with check (%s)', reach)
                            when 'update' then format('using (%s) with check (%s)', reach, reach)
                            else format('using (%s)', reach) end);
  end loop;
  execute format('alter table public.%I enable row level security', p_table);
  execute format('revoke all on table public.%I from public, anon', p_table);
  execute format('grant select, insert, update, delete on table public.%I to authenticated, service_role', p_table);
  execute format('revoke all on sequence public.%I from public, anon', p_table || '_id_seq');
  execute format('grant usage, select on sequence public.%I to authenticated, service_role', p_table || '_id_seq');
end
$$;

-- The four tables, column for column as seed 003 gives them, plus what the
-- issue asks: indexes on every foreign key and on (customer_id, timestamp),
-- RLS, grants, comments. Each piece is made only if missing, so a second
-- call changes nothing.
create function private.create_agent_tables(p_agent bigint)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  a public.agents;
  customers text := private.agent_table_name(p_agent, 'customers');
  messages text := private.agent_table_name(p_agent, 'messages');
  orders text := private.agent_table_name(p_agent, 'orders');
  items text := private.agent_table_name(p_agent, 'orders_items');
begin
  select * into a from public.agents x where x.id = p_agent;
  if not found then
    raise exception 'agent % not found', p_agent using errcode = 'P0002';
  end if;

  if to_regclass('public.' || customers) is null then
    execute format($ddl$
      create table public.%1$I (
        id serial primary key,
        agent_id bigint not null default %2$s references public.agents (id) on delete cascade,
        name text not null,
        phone text not null,
        profile_image_url text,
        created_at timestamp default now(),
        constraint %3$I unique (phone),
        constraint %4$I check (agent_id = %2$s),
        constraint %5$I check (phone ~ '^\+[1-9][0-9]{6,14}$')
      )$ddl$, customers, p_agent, customers || '_phone_key', customers || '_agent_check', customers || '_phone_e164');
    execute format('create index %I on public.%I (agent_id)', customers || '_agent_id_idx', customers);
    execute format('create trigger normalize_phone before insert or update of phone on public.%I
                    for each row execute function private.agent_customer_phone()', customers);
    execute format('comment on table public.%I is %L', customers,
                   format('Customers of agent %s (seed 003 agt_{agent_id}_customers): one per phone number, created on their first message.', p_agent));
    execute format('comment on column public.%I.phone is %L', customers, 'WhatsApp number in E.164 (+ and digits), unique for the agent.');
    perform private.agent_policies(customers, p_agent);
  end if;

  if to_regclass('public.' || messages) is null then
    execute format($ddl$
      create table public.%1$I (
        id serial primary key,
        customer_id integer not null references public.%2$I (id) on delete cascade,
        message text not null,
        direction varchar not null constraint %3$I check (direction in ('inbound', 'outbound')),
        "timestamp" timestamp default now(),
        is_read boolean default false,
        media_type public.media_type default 'none',
        media_url text,
        caption text
      )$ddl$, messages, customers, messages || '_direction_check');
    execute format('create index %I on public.%I (customer_id, "timestamp")', messages || '_customer_timestamp_idx', messages);
    -- Rows the database writes itself (inbound, and our sends from other
    -- paths) set threadline.agent_sync; only the agent's own rows are sent.
    execute format($ddl$
      create trigger send_outbound after insert on public.%1$I for each row
        when (new.direction = 'outbound' and current_setting('threadline.agent_sync', true) is distinct from 'on')
        execute function private.agent_send_trigger(%2$L)$ddl$, messages, p_agent);
    execute format('comment on table public.%I is %L', messages,
                   format('WhatsApp messages of agent %s''s customers (seed 003 agt_{agent_id}_messages). Inbound ones arrive from the bound channel; inserting an outbound row sends it.', p_agent));
    execute format('comment on column public.%I."timestamp" is %L', messages, 'When the message was sent or received (timestamp without time zone, UTC on Supabase).');
    execute format('comment on column public.%I.is_read is %L', messages, 'Set when the agent has read it.');
    perform private.agent_policies(messages, p_agent);
    if not exists (select 1 from pg_catalog.pg_publication_tables p
                    where p.pubname = 'supabase_realtime' and p.schemaname = 'public' and p.tablename = messages) then
      execute format('alter publication supabase_realtime add table public.%I', messages);
    end if;
  end if;

  if to_regclass('public.' || orders) is null then
    execute format($ddl$
      create table public.%1$I (
        id serial primary key,
        customer_id integer not null references public.%2$I (id),
        total_amount numeric default 0,
        status public.order_status default 'pending',
        notes text,
        shipping_address text,
        created_at timestamp default now(),
        updated_at timestamp default now()
      )$ddl$, orders, customers);
    execute format('create index %I on public.%I (customer_id)', orders || '_customer_id_idx', orders);
    execute format('comment on table public.%I is %L', orders,
                   format('Orders of agent %s''s customers (seed 003 agt_{agent_id}_orders). total_amount is always the sum of the items; status follows pending -> confirmed -> processing -> shipped -> delivered, cancelled before shipping, refunded once confirmed.', p_agent));
    execute format('comment on column public.%I.total_amount is %L', orders, 'Sum of the order''s item totals, kept by the database.');
    perform private.agent_policies(orders, p_agent);
  end if;

  if to_regclass('public.' || items) is null then
    execute format($ddl$
      create table public.%1$I (
        id serial primary key,
        order_id integer not null references public.%2$I (id) on delete cascade,
        name text not null,
        quantity integer not null default 1 constraint %3$I check (quantity > 0),
        price numeric not null default 0 constraint %4$I check (price >= 0),
        total numeric,
        created_at timestamp default now()
      )$ddl$, items, orders, items || '_quantity_check', items || '_price_check');
    execute format('create index %I on public.%I (order_id)', items || '_order_id_idx', items);
    execute format('create trigger item_total before insert or update on public.%I
                    for each row execute function private.agent_item_total()', items);
    execute format('create trigger order_total after insert or update or delete on public.%I
                    for each row execute function private.agent_items_changed(%L)', items, orders);
    execute format('comment on table public.%I is %L', items,
                   format('Items of agent %s''s orders (seed 003 agt_{agent_id}_orders_items).', p_agent));
    execute format('comment on column public.%I.total is %L', items, 'quantity x price, kept by the database.');
    perform private.agent_policies(items, p_agent);
  end if;

  -- Made after the items table exists, which its total reads.
  execute format('create or replace trigger order_rules before insert or update on public.%I
                  for each row execute function private.agent_order_rules(%L)', orders, items);

  insert into public.agent_tables (agent_id, workspace_id, kind, table_name)
  select p_agent, a.workspace_id, k, private.agent_table_name(p_agent, k)
    from unnest(enum_range(null::public.agent_table_kind)) k
  on conflict (agent_id, kind) do nothing;
end
$$;

create function private.drop_agent_tables(p_agent bigint)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  execute format('drop table if exists public.%I, public.%I, public.%I, public.%I',
                 private.agent_table_name(p_agent, 'orders_items'), private.agent_table_name(p_agent, 'orders'),
                 private.agent_table_name(p_agent, 'messages'), private.agent_table_name(p_agent, 'customers'));
  delete from public.agent_tables t where t.agent_id = p_agent;
end
$$;

-- Tables go before their agent's row: dropping them while a DELETE on
-- agents runs would pull foreign keys from under its pending checks. So a
-- row can only be deleted once its tables are gone (drop_agent), and a
-- workspace being deleted drops its agents' tables before the cascade.
create function private.agent_deleted()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if to_regclass('public.' || private.agent_table_name(old.id, 'customers')) is not null then
    raise exception 'agent % still has its tables: drop it with drop_agent()', old.id using errcode = '55000';
  end if;
  return old;
end
$$;
create trigger keep_tables before delete on public.agents
  for each row execute function private.agent_deleted();

create function private.workspace_agents_deleted()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.drop_agent_tables(a.id) from public.agents a where a.workspace_id = old.id;
  return old;
end
$$;
create trigger drop_agent_tables before delete on public.workspaces
  for each row execute function private.workspace_agents_deleted();

create trigger audit after insert or update or delete on public.agents
  for each row execute function private.audit_change('agent');
create trigger audit after insert or update or delete on public.agent_channels
  for each row execute function private.audit_change('agent_channel');

-- RPCs ----------------------------------------------------------------------------------------

-- Who calls: a signed-in user (checked here) or the service (no user: the
-- service role or a direct database connection, e.g. the seed).
create function private.service_caller()
returns boolean
language sql stable set search_path = ''
as $$
  select (select auth.uid()) is null
     and coalesce((select auth.role()), 'service_role') = 'service_role'
$$;

create function private.create_agent(p_workspace uuid, p_user uuid, p_name text)
returns public.agents
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
  nm text := nullif(btrim(p_name), '');
  creator uuid;
  a public.agents;
begin
  if uid is null and not private.service_caller() then
    raise exception 'sign in first' using errcode = '28000';
  end if;
  if p_workspace is null then
    raise exception 'create_agent needs a workspace' using errcode = '22023';
  end if;
  if not exists (select 1 from public.workspaces w where w.id = p_workspace)
     or uid is not null and not private.has_workspace_role(p_workspace, 'viewer') and not private.is_super_admin() then
    raise exception 'workspace not found' using errcode = 'P0002';
  end if;
  if uid is not null and not private.can_manage_agents(p_workspace) then
    raise exception 'only the workspace''s admins (or a platform super admin) create agents' using errcode = '42501';
  end if;
  if p_user is not null and not exists (
       select 1 from public.workspace_members m
        where m.workspace_id = p_workspace and m.user_id = p_user and m.status = 'active') then
    raise exception 'the agent''s user must be an active member of the workspace' using errcode = '22023';
  end if;
  if nm is null and p_user is not null then
    select coalesce(nullif(btrim(p.full_name), ''), split_part(u.email, '@', 1)) into nm
      from public.profiles p left join auth.users u on u.id = p.id where p.id = p_user;
  end if;
  if nm is null then
    raise exception 'a system agent (no user) needs a name' using errcode = '22023';
  end if;
  if char_length(nm) > 100 or nm ~ '[[:cntrl:]]' then
    raise exception 'an agent''s name is 1 to 100 printable characters' using errcode = '22023';
  end if;

  -- One maker of agent tables at a time: the foreign keys to agents take a
  -- lock on it anyway, and this way concurrent calls queue instead of deadlocking.
  perform pg_advisory_xact_lock(hashtextextended('threadline:agents', 0));

  select * into a from public.agents x
   where x.workspace_id = p_workspace
     and case when p_user is not null then x.user_id = p_user else x.user_id is null and lower(x.name) = lower(nm) end;
  if not found then
    creator := coalesce(uid, (select m.user_id from public.workspace_members m
                               where m.workspace_id = p_workspace and m.role = 'owner' and m.status = 'active'
                               order by m.created_at limit 1));
    if creator is null then
      raise exception 'the workspace has no active owner to record as the agent''s creator' using errcode = '55000';
    end if;
    insert into public.agents (workspace_id, user_id, name, created_by)
    values (p_workspace, p_user, nm, creator)
    returning * into a;
  end if;
  perform private.create_agent_tables(a.id);
  notify pgrst, 'reload schema';
  return a;
end
$$;

create function private.drop_agent(p_agent bigint)
returns public.agents
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
  a public.agents;
begin
  if uid is null and not private.service_caller() then
    raise exception 'sign in first' using errcode = '28000';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('threadline:agents', 0));
  select * into a from public.agents x where x.id = p_agent for update;
  if not found or uid is not null and not private.can_reach_agent(p_agent) then
    raise exception 'agent % not found', p_agent using errcode = 'P0002';
  end if;
  if uid is not null and not private.can_manage_agents(a.workspace_id) then
    raise exception 'only the workspace''s admins (or a platform super admin) drop agents' using errcode = '42501';
  end if;
  perform private.drop_agent_tables(a.id);
  delete from public.agents x where x.id = a.id;
  notify pgrst, 'reload schema';
  return a;
end
$$;

create function public.create_agent(workspace_id uuid, user_id uuid default null, name text default null)
returns public.agents
language sql security invoker set search_path = ''
as $$
  select * from private.create_agent(create_agent.workspace_id, create_agent.user_id, create_agent.name)
$$;
comment on function public.create_agent(uuid, uuid, text) is
  'Creates an agent and its tables agt_<id>_customers, _messages, _orders, _orders_items (admins of the workspace, platform super admins). user_id: the member who works as the agent (null for a system agent, which then needs a name). Idempotent: the same user, or the same system agent name, returns the existing agent.';

create function public.drop_agent(agent_id bigint)
returns public.agents
language sql security invoker set search_path = ''
as $$
  select * from private.drop_agent(drop_agent.agent_id)
$$;
comment on function public.drop_agent(bigint) is 'Drops an agent and its four tables (admins of its workspace, platform super admins). Returns the dropped agent.';

revoke all on function private.agent_customer_phone(), private.agent_item_total(),
  private.agent_order_next(public.order_status), private.agent_order_rules(), private.agent_items_changed(),
  private.agent_table_name(bigint, public.agent_table_kind), private.agent_policies(text, bigint),
  private.create_agent_tables(bigint), private.drop_agent_tables(bigint), private.agent_deleted(),
  private.workspace_agents_deleted(),
  private.service_caller(), private.create_agent(uuid, uuid, text), private.drop_agent(bigint) from public;
grant execute on function private.create_agent(uuid, uuid, text), private.drop_agent(bigint) to authenticated, service_role;
revoke all on function public.create_agent(uuid, uuid, text), public.drop_agent(bigint) from public, anon;
grant execute on function public.create_agent(uuid, uuid, text), public.drop_agent(bigint) to authenticated, service_role;
