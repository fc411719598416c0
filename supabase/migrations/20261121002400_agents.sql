-- Agents (seed 003): a workspace's sales agents, each with four tables of
-- its own (agt_<id>_customers, _messages, _orders, _orders_items) made by
-- create_agent(). This step holds what every agent shares: the agents
-- table, the registry of their tables, the binding of a channel to an agent
-- (seed 003 whatsapp_configuration) and who may reach an agent's rows.

-- The seed's enums.sql types, used by the generated tables.
create type public.media_type as enum ('none', 'image', 'video', 'audio', 'document', 'sticker');
create type public.order_status as enum ('pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded');
create type public.agent_table_kind as enum ('customers', 'messages', 'orders', 'orders_items');

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
-- One agent per user in a workspace; system agents (no user) by name. These
-- keys are what makes create_agent idempotent.
create unique index agents_user_key on public.agents (user_id, workspace_id) where user_id is not null;
create unique index agents_system_name_key on public.agents (workspace_id, lower(name)) where user_id is null;
create index agents_workspace_id_idx on public.agents (workspace_id);
create index agents_created_by_idx on public.agents (created_by);
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
create index agent_tables_workspace_idx on public.agent_tables (workspace_id);
create index agent_tables_agent_ws_idx on public.agent_tables (agent_id, workspace_id);
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
create unique index agent_channels_channel_key on public.agent_channels (channel_id) where is_active;
create unique index agent_channels_agent_key on public.agent_channels (agent_id) where is_active;
create unique index agent_channels_user_key on public.agent_channels (user_id) where is_active and user_id is not null;
create index agent_channels_agent_ws_idx on public.agent_channels (agent_id, workspace_id);
create index agent_channels_channel_ws_idx on public.agent_channels (channel_id, workspace_id);
create index agent_channels_user_id_idx on public.agent_channels (user_id) where user_id is not null;
create index agent_channels_workspace_idx on public.agent_channels (workspace_id);
comment on table public.agent_channels is 'Which channel an agent works on (seed 003 whatsapp_configuration): one active binding per channel, per agent and per user. The number, ids and credentials are the channel''s.';
comment on column public.agent_channels.user_id is 'The agent''s user, copied at binding: a user has one active WhatsApp configuration.';

create trigger set_updated_at before update on public.agent_channels
  for each row execute function private.set_updated_at();

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
  if not found then
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
create trigger check_agent_channel before insert or update on public.agent_channels
  for each row execute function private.check_agent_channel();

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
create trigger hand_over_agents before delete on public.profiles
  for each row execute function private.hand_over_agents();

-- Access ----------------------------------------------------------------------------------

create function private.is_super_admin()
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.profiles p
                  where p.id = (select auth.uid()) and p.platform_role = 'super_admin' and p.status = 'active')
$$;
comment on function private.is_super_admin() is 'True for platform super admins, who reach every agent.';

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

revoke all on function private.is_super_admin(), private.can_reach_agent(bigint), private.can_manage_agents(uuid),
  private.check_agent_channel(), private.hand_over_agents() from public;
grant execute on function private.is_super_admin(), private.can_reach_agent(bigint), private.can_manage_agents(uuid)
  to authenticated, service_role;

alter table public.agents enable row level security;
alter table public.agent_tables enable row level security;
alter table public.agent_channels enable row level security;
revoke all on public.agents, public.agent_tables, public.agent_channels from anon, authenticated;
revoke all on sequence public.agents_id_seq, public.agent_channels_id_seq from anon, authenticated;

-- Agents are made and dropped by RPC only; an admin may rename one.
grant select on public.agents to authenticated;
grant update (name) on public.agents to authenticated;
create policy agents_select on public.agents for select to authenticated
  using ((select private.can_reach_agent(id)));
create policy agents_update on public.agents for update to authenticated
  using ((select private.can_manage_agents(workspace_id)))
  with check ((select private.can_manage_agents(workspace_id)));

grant select on public.agent_tables to authenticated;
create policy agent_tables_select on public.agent_tables for select to authenticated
  using ((select private.can_manage_agents(workspace_id)));

grant select, insert, delete on public.agent_channels to authenticated;
grant update (is_active) on public.agent_channels to authenticated;
grant usage on sequence public.agent_channels_id_seq to authenticated;
create policy agent_channels_select on public.agent_channels for select to authenticated
  using ((select private.can_reach_agent(agent_id)));
create policy agent_channels_insert on public.agent_channels for insert to authenticated
  with check ((select private.can_manage_agents(workspace_id)));
create policy agent_channels_update on public.agent_channels for update to authenticated
  using ((select private.can_manage_agents(workspace_id)))
  with check ((select private.can_manage_agents(workspace_id)));
create policy agent_channels_delete on public.agent_channels for delete to authenticated
  using ((select private.can_manage_agents(workspace_id)));
