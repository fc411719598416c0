-- Module: agents
--
-- A workspace's sales agents (seed 003), each with four tables of its own
-- (agt_<id>_customers, _messages, _orders, _orders_items) made by
-- create_agent() and removed by drop_agent(). What every agent shares lives
-- here: the agents table, the registry of their tables, the binding of a
-- channel to an agent (seed 003 whatsapp_configuration) and who may reach an
-- agent's rows.
--
-- Every identifier of a per-agent table comes from the agent's numeric id
-- and goes through format('%I'); no caller text ever reaches DDL. The rules
-- the tables share (order totals and workflow, item totals, phone format,
-- sending) are a few trigger functions here, parameterized by table names,
-- so an agent costs tables and indexes, not functions.
--
-- Messages on a channel bound to an agent are written as usual (contact,
-- conversation, message, statuses, automations) and mirrored into the
-- agent's tables: a customer on the first message from a number, then
-- every message with its direction, media type and caption. An outbound row
-- an agent inserts into agt_<id>_messages becomes a message in its
-- conversation and is queued in private.outbox like any other. The setting
-- threadline.agent_sync marks rows the database writes itself, so neither
-- direction echoes back into the other.

-- ==========================================================================
-- Types
-- ==========================================================================

-- The seed's enums.sql types, used by the generated tables.
create type public.media_type as enum ('none', 'image', 'video', 'audio', 'document', 'sticker');

create type public.order_status as enum ('pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded');
create type public.agent_table_kind as enum ('customers', 'messages', 'orders', 'orders_items');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.agents (
  id bigserial primary key,
  -- Derived, so a prefix can never disagree with the id the tables are named from.
  agent_prefix varchar not null generated always as ('agt_' || id::text) stored unique,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid references public.profiles (id) on delete set null,
  name text not null check (char_length(name) between 1 and 100 and name = btrim(name)),
  -- Required by the seed; handed to an owner when the creator leaves (hand_over_agents).
  created_by uuid not null references public.profiles (id),
  created_at timestamptz not null default now(),
  unique (id, workspace_id)
);
comment on table public.agents is 'Sales agents (seed 003). Each has its own tables agt_<id>_customers, _messages, _orders, _orders_items, made by create_agent() and listed in agent_tables.';
comment on column public.agents.agent_prefix is 'Prefix of the agent''s tables: agt_<id>.';
comment on column public.agents.user_id is 'The member who works as this agent; null for a system agent.';
comment on column public.agents.created_by is 'Who created the agent (an admin of the workspace or a platform super admin).';

create table public.agent_tables (
  agent_id bigint not null,
  workspace_id uuid not null,
  kind public.agent_table_kind not null,
  table_name text not null unique,
  created_at timestamptz not null default now(),
  primary key (agent_id, kind),
  foreign key (agent_id, workspace_id) references public.agents (id, workspace_id) on delete cascade
);
comment on table public.agent_tables is 'Registry of each agent''s generated tables, for the workspace''s admins.';

-- Seed 003 whatsapp_configuration: a channel bound to an agent. Inbound
-- messages on it land in the agent's tables; the agent's outbound rows are
-- sent through it. One active binding per channel, per agent and per user.
create table public.agent_channels (
  id bigserial primary key,
  workspace_id uuid not null,
  agent_id bigint not null,
  channel_id uuid not null,
  user_id uuid references public.profiles (id) on delete set null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (agent_id, workspace_id) references public.agents (id, workspace_id) on delete cascade,
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
comment on table public.agent_channels is 'Which channel an agent works on (seed 003 whatsapp_configuration): one active binding per channel, per agent and per user. The number, ids and credentials are the channel''s.';
comment on column public.agent_channels.user_id is 'The agent''s user, copied at binding: a user has one active WhatsApp configuration.';

-- ==========================================================================
-- Indexes
-- ==========================================================================

-- One agent per user in a workspace; system agents (no user) by name. These
-- keys are what makes create_agent idempotent.
create unique index agents_user_key on public.agents (user_id, workspace_id) where user_id is not null;

create unique index agents_system_name_key on public.agents (workspace_id, lower(name)) where user_id is null;
create index agents_workspace_id_idx on public.agents (workspace_id);
create index agents_created_by_idx on public.agents (created_by);
create index agent_tables_workspace_idx on public.agent_tables (workspace_id);
create index agent_tables_agent_ws_idx on public.agent_tables (agent_id, workspace_id);
create unique index agent_channels_channel_key on public.agent_channels (channel_id) where is_active;
create unique index agent_channels_agent_key on public.agent_channels (agent_id) where is_active;
create unique index agent_channels_user_key on public.agent_channels (user_id) where is_active and user_id is not null;
create index agent_channels_agent_ws_idx on public.agent_channels (agent_id, workspace_id);
create index agent_channels_channel_ws_idx on public.agent_channels (channel_id, workspace_id);
create index agent_channels_user_id_idx on public.agent_channels (user_id) where user_id is not null;
create index agent_channels_workspace_idx on public.agent_channels (workspace_id);

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Fills the workspace and user from the agent and gives readable errors for
-- what the unique keys would otherwise refuse with a key name.
create function private.check_agent_channel()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  a public.agents;
  taken bigint;
begin
  select * into a from public.agents x where x.id = new.agent_id;
  -- A client who may not bind this agent (one of another workspace's, or
  -- none at all) gets RLS's refusal before its channels or bindings are
  -- looked at.
  if tg_op = 'INSERT' and private.is_client() and not coalesce(private.can_manage_agents(a.workspace_id), false) then
    raise exception 'new row violates row-level security policy for table "agent_channels"' using errcode = '42501';
  end if;
  if a.id is null then
    raise exception 'agent % not found', new.agent_id using errcode = 'P0002';
  end if;
  if tg_op = 'UPDATE' and (new.agent_id <> old.agent_id or new.channel_id <> old.channel_id) then
    raise exception 'a binding''s agent and channel cannot change: deactivate it and bind again' using errcode = '22023';
  end if;
  new.workspace_id := a.workspace_id;
  new.user_id := a.user_id;
  if not exists (select 1 from public.channels c where c.id = new.channel_id and c.workspace_id = a.workspace_id) then
    raise exception 'channel not found in the agent''s workspace' using errcode = 'P0002';
  end if;
  if new.is_active then
    select b.agent_id into taken from public.agent_channels b
     where b.channel_id = new.channel_id and b.is_active and b.id <> coalesce(new.id, -1);
    if found then
      raise exception 'the channel is already bound to agent %', taken using errcode = '23505';
    end if;
    if exists (select 1 from public.agent_channels b
                where b.is_active and b.id <> coalesce(new.id, -1)
                  and (b.agent_id = new.agent_id or b.user_id = new.user_id)) then
      raise exception 'the agent''s user already has an active WhatsApp configuration: deactivate it first'
        using errcode = '23505';
    end if;
  end if;
  return new;
end
$$;

-- A person leaves: agents they created are recorded as created by an owner
-- of the workspace (the seed requires a creator), and agents they worked as
-- become system agents, renamed if their name is taken by one. Workspaces
-- deleted with the person (before_profile_delete runs first) take their
-- agents along.
create function private.hand_over_agents()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.agents a
     set created_by = coalesce((select o.user_id from public.workspace_members o
                                 where o.workspace_id = a.workspace_id and o.user_id <> old.id
                                   and o.role = 'owner' and o.status = 'active'
                                 order by o.created_at limit 1), a.created_by)
   where a.created_by = old.id;
  update public.agents a
     set user_id = null,
         name = case when exists (select 1 from public.agents x
                                   where x.workspace_id = a.workspace_id and x.user_id is null and lower(x.name) = lower(a.name))
                     then left(a.name, 80) || ' #' || a.id else a.name end
   where a.user_id = old.id;
  return old;
end
$$;

-- Access helpers --------------------------------------------------------------------------
create function private.is_super_admin()
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.profiles p
                  where p.id = (select auth.uid()) and p.platform_role = 'super_admin' and p.status = 'active')
     -- An API key acts inside its one workspace, whoever created it (identity).
     and (select private.api_key_workspace()) is null
$$;
comment on function private.is_super_admin() is 'True for platform super admins, who reach every agent; never under an API key.';

-- The seed's rule, "agent data only for its owner", widened as the issue
-- asks: the agent's user and its creator while they are members of the
-- workspace, the workspace's admins, and platform super admins.
create function private.can_reach_agent(p_agent bigint)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.agents a
     where a.id = p_agent
       and (private.has_workspace_role(a.workspace_id, 'admin')
            or ((a.user_id = (select auth.uid()) or a.created_by = (select auth.uid()))
                and private.has_workspace_role(a.workspace_id, 'viewer'))
            or private.is_super_admin()))
$$;
comment on function private.can_reach_agent(bigint) is
  'True when the caller may reach the agent''s rows: its user or creator (while a member), the workspace''s admins, platform super admins.';

create function private.can_manage_agents(ws uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.has_workspace_role(ws, 'admin') or private.is_super_admin()
$$;
comment on function private.can_manage_agents(uuid) is 'Workspace admins and platform super admins create, bind and drop agents.';

-- can_reach_agent as a set, for policies: computed once per statement, so
-- agent_id is an index condition instead of a call per row.
create function private.reachable_agents()
returns setof bigint
language sql stable security definer set search_path = ''
as $$
  select a.id from public.agents a
   where a.workspace_id = any (array(select private.workspaces_with_role('admin')))
      or ((a.user_id = (select auth.uid()) or a.created_by = (select auth.uid()))
          and a.workspace_id = any (array(select private.workspaces_with_role('viewer'))))
$$;
comment on function private.reachable_agents() is 'Ids of the agents whose rows the caller reaches as their user, creator or workspace admin (super admins: see is_super_admin).';

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

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.agents alter column workspace_id set (n_distinct = 500);
alter table public.agent_tables alter column workspace_id set (n_distinct = 500);
alter table public.agent_channels alter column workspace_id set (n_distinct = 500);

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
  -- Exactly what the API uses, whatever the schema's default privileges
  -- gave: rows through RLS, ids from the sequence (never setval).
  execute format('alter table public.%I enable row level security', p_table);
  execute format('revoke all on table public.%I from public, anon, authenticated, service_role', p_table);
  execute format('grant select, insert, update, delete on table public.%I to authenticated, service_role', p_table);
  execute format('revoke all on sequence public.%I from public, anon, authenticated, service_role', p_table || '_id_seq');
  execute format('grant usage on sequence public.%I to authenticated, service_role', p_table || '_id_seq');
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
  -- The workspace's orders include the agent's: each one is mirrored into
  -- public.orders by private.mirror_agent_order (commerce module).
  execute format('create or replace trigger mirror_to_orders after insert or update or delete on public.%I
                  for each row execute function private.mirror_agent_order(%L)', orders, p_agent);

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

create function private.workspace_agents_deleted()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.drop_agent_tables(a.id) from public.agents a where a.workspace_id = old.id;
  return old;
end
$$;

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
  lim integer;
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
    -- Each agent is four tables: the plan caps them, under the workspace
    -- lock as every limit is checked.
    select w.max_agents into lim from public.workspaces w where w.id = p_workspace for update;
    if (select count(*) from public.agents x where x.workspace_id = p_workspace) >= lim then
      raise exception 'the workspace''s plan allows % agents', lim using errcode = '54000';
    end if;
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
  -- Who may act is settled before anything is locked.
  if uid is not null and not private.can_reach_agent(p_agent) then
    raise exception 'agent % not found', p_agent using errcode = 'P0002';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('threadline:agents', 0));
  select * into a from public.agents x where x.id = p_agent for update;
  if not found then
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

create function private.agent_kind(t public.message_type)
returns public.media_type
language sql immutable set search_path = ''
as $$
  select case when t::text in ('image', 'video', 'audio', 'document', 'sticker') then t::text::public.media_type
              else 'none'::public.media_type end
$$;

-- Canonical messages -> one agent's tables, in the order given.
create function private.agent_receive(p_agent bigint, p_messages uuid[])
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  customers text := private.agent_table_name(p_agent, 'customers');
begin
  perform set_config('threadline.agent_sync', 'on', true);
  execute format($q$
    insert into public.%I (name, phone, profile_image_url)
    select distinct on (ct.phone)
           coalesce(nullif(btrim(ct.name), ''), nullif(btrim(m.push_name), ''), '+' || ct.phone), '+' || ct.phone,
           coalesce(ct.avatar_url, i.profile_picture_url)
      from public.messages m
      join public.contacts ct on ct.id = m.contact_id
      left join public.contact_identities i on i.channel_id = m.channel_id and i.workspace_id = m.workspace_id
                                           and i.external_id = m.remote_jid
     where m.id = any ($1) and ct.phone is not null
     order by ct.phone, m.direction desc
    on conflict (phone) do nothing$q$, customers) using p_messages;
  execute format($q$
    insert into public.%I (customer_id, message, direction, "timestamp", is_read, media_type, media_url, caption)
    select cu.id, coalesce(m.content, '[' || m.type::text || ']'), m.direction::text,
           coalesce(m.provider_timestamp, m.created_at)::timestamp, m.direction = 'outbound',
           private.agent_kind(m.type), m.media_url,
           case when m.type in ('image', 'video', 'document') then m.content end
      from unnest($1) with ordinality u(id, n)
      join public.messages m on m.id = u.id
      join public.contacts ct on ct.id = m.contact_id
      join public.%I cu on cu.phone = '+' || ct.phone
     order by u.n$q$, private.agent_table_name(p_agent, 'messages'), customers) using p_messages;
  perform set_config('threadline.agent_sync', '', true);
end
$$;

-- After each insert statement on messages: the individual chats' messages
-- (not reactions or system notices) on agent-bound channels. A failure here
-- never costs the message itself: it is logged and ingestion goes on.
-- Neighbours are looked up by key, one probe per inserted row, never by a
-- join: the trigger's plans are cached per session from the statistics of
-- the moment, and a join planned on a young database walked every
-- conversation for each batch. A channel without an agent costs one probe
-- per batch.
create function private.mirror_agent_messages()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
begin
  if current_setting('threadline.agent_sync', true) = 'on' then
    return null;
  end if;
  -- Most channels have no agent: one probe per statement.
  if not exists (select 1 from public.agent_channels a
                  where a.channel_id in (select i.channel_id from inserted i) and a.is_active) then
    return null;
  end if;
  for r in
    -- The binding's workspace is the channel's, hence the message's.
    select m.agent_id, m.workspace_id, array_agg(m.id order by m.at, m.id) as ids
      from (select i.id, i.workspace_id, coalesce(i.provider_timestamp, i.created_at) as at,
                   (select a.agent_id from public.agent_channels a
                     where a.channel_id = i.channel_id and a.is_active) as agent_id
              from inserted i
             where i.type not in ('reaction', 'system') and i.contact_id is not null
               and (select v.type from public.conversations v where v.id = i.conversation_id) = 'individual') m
     where m.agent_id is not null
     group by m.agent_id, m.workspace_id
  loop
    begin
      perform private.agent_receive(r.agent_id, r.ids);
    exception when others then
      insert into public.activity_log (workspace_id, level, category, action, message, entity_type, entity_id,
                                       data, success, error)
      values (r.workspace_id, 'error', 'agent', 'agent.mirror_failed',
              'Messages could not be copied into the agent''s tables', 'agent', r.agent_id::text,
              jsonb_build_object('message_ids', to_jsonb(r.ids)), false, sqlerrm);
    end;
  end loop;
  return null;
end
$$;

-- An agent's outbound row -> a message in the customer's conversation on
-- the agent's channel (contact and conversation made if new), checked and
-- queued by the usual outbound triggers as the inserting user. Errors (no
-- channel, window closed, opted out, viewer) refuse the row.
create function private.agent_send(p_agent bigint, p_customer integer, p_message text, p_media public.media_type,
                                   p_media_url text, p_caption text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
  cust_phone text;
  cname text;
  digits text;
  chat text;
  contact uuid;
  conv uuid;
  mid uuid;
  kind public.message_type := case when coalesce(p_media, 'none') = 'none' then 'text' else p_media::text end::public.message_type;
begin
  select c.* into ch from public.agent_channels b join public.channels c on c.id = b.channel_id
   where b.agent_id = p_agent and b.is_active;
  if not found then
    raise exception 'agent % has no active WhatsApp channel: bind one in agent_channels', p_agent using errcode = '55000';
  end if;
  execute format('select c.phone, c.name from public.%I c where c.id = $1', private.agent_table_name(p_agent, 'customers'))
    into cust_phone, cname using p_customer;
  digits := ltrim(cust_phone, '+');
  chat := digits || case when ch.provider = 'cloud_api' then '' else '@s.whatsapp.net' end;

  insert into public.contacts (workspace_id, name, phone, source, added_by)
  values (ch.workspace_id, cname, digits, 'agent', (select auth.uid()))
  on conflict (workspace_id, phone) where phone is not null do nothing;
  contact := private.resolve_contact(ch, chat, digits, null, now());
  insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, type)
  values (ch.workspace_id, ch.id, chat, contact, 'individual')
  on conflict (channel_id, workspace_id, chat_id) do nothing;
  select v.id into conv from public.conversations v
   where v.channel_id = ch.id and v.workspace_id = ch.workspace_id and v.chat_id = chat;

  perform set_config('threadline.agent_sync', 'on', true);
  insert into public.messages (conversation_id, type, content, media_url)
  values (conv, kind,
          case when kind = 'text' then p_message
               when kind in ('image', 'video', 'document') then coalesce(p_caption, nullif(btrim(p_message), '')) end,
          case when kind <> 'text' then p_media_url end)
  returning id into mid;
  perform set_config('threadline.agent_sync', '', true);
  return mid;
end
$$;

create function private.agent_send_trigger()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.agent_send(tg_argv[0]::bigint, new.customer_id, new.message, new.media_type, new.media_url, new.caption);
  return null;
end
$$;

-- ==========================================================================
-- Access
-- ==========================================================================

alter table public.agents enable row level security;
alter table public.agent_tables enable row level security;
alter table public.agent_channels enable row level security;
revoke all on public.agents, public.agent_tables, public.agent_channels from anon, authenticated;

-- Agents are made and dropped by RPC only; an admin may rename one.
grant select on public.agents to authenticated;

grant update (name) on public.agents to authenticated;

create policy agents_select on public.agents for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin')))
         or ((user_id = (select auth.uid()) or created_by = (select auth.uid()))
             and workspace_id = any (array(select private.workspaces_with_role('viewer'))))
         or (select private.is_super_admin()));

create policy agents_update on public.agents for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))) or (select private.is_super_admin()))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))) or (select private.is_super_admin()));

grant select on public.agent_tables to authenticated;

create policy agent_tables_select on public.agent_tables for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))) or (select private.is_super_admin()));

grant select, insert, delete on public.agent_channels to authenticated;
grant update (is_active) on public.agent_channels to authenticated;

create policy agent_channels_select on public.agent_channels for select to authenticated
  using (agent_id = any (array(select private.reachable_agents())) or (select private.is_super_admin()));

create policy agent_channels_insert on public.agent_channels for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))) or (select private.is_super_admin()));

create policy agent_channels_update on public.agent_channels for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))) or (select private.is_super_admin()))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))) or (select private.is_super_admin()));

create policy agent_channels_delete on public.agent_channels for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))) or (select private.is_super_admin()));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.agent_channels
  for each row execute function private.set_updated_at();

create trigger check_agent_channel before insert or update on public.agent_channels
  for each row execute function private.check_agent_channel();

create trigger hand_over_agents before delete on public.profiles
  for each row execute function private.hand_over_agents();

create trigger keep_tables before delete on public.agents
  for each row execute function private.agent_deleted();

create trigger drop_agent_tables before delete on public.workspaces
  for each row execute function private.workspace_agents_deleted();

create trigger audit after insert or update or delete on public.agents
  for each row execute function private.audit_change('agent');

create trigger audit after insert or update or delete on public.agent_channels
  for each row execute function private.audit_change('agent_channel');

create trigger mirror_agent_messages after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.mirror_agent_messages();

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.is_super_admin(), private.can_reach_agent(bigint), private.can_manage_agents(uuid), private.reachable_agents(),
  private.check_agent_channel(), private.hand_over_agents() from public;

grant execute on function private.is_super_admin(), private.can_reach_agent(bigint), private.can_manage_agents(uuid), private.reachable_agents()
  to authenticated, service_role;

revoke all on sequence public.agents_id_seq, public.agent_channels_id_seq from anon, authenticated;
grant usage on sequence public.agent_channels_id_seq to authenticated;

revoke all on function private.agent_customer_phone(), private.agent_item_total(),
  private.agent_order_next(public.order_status), private.agent_order_rules(), private.agent_items_changed(),
  private.agent_table_name(bigint, public.agent_table_kind), private.agent_policies(text, bigint),
  private.create_agent_tables(bigint), private.drop_agent_tables(bigint), private.agent_deleted(),
  private.workspace_agents_deleted(),
  private.service_caller(), private.create_agent(uuid, uuid, text), private.drop_agent(bigint) from public;

grant execute on function private.create_agent(uuid, uuid, text), private.drop_agent(bigint) to authenticated, service_role;
revoke all on function public.create_agent(uuid, uuid, text), public.drop_agent(bigint) from public, anon;
grant execute on function public.create_agent(uuid, uuid, text), public.drop_agent(bigint) to authenticated, service_role;

revoke all on function private.agent_kind(public.message_type), private.agent_receive(bigint, uuid[]),
  private.mirror_agent_messages(), private.agent_send(bigint, integer, text, public.media_type, text, text),
  private.agent_send_trigger() from public;
