-- Module: identity
--
-- Identity and tenancy: who the people are (profiles), the tenant
-- (workspaces), who belongs to which (workspace_members, invitations), how
-- servers authenticate (api_keys), what happened (activity_log) and what a
-- user is told (notifications, verification_logs).
--
-- Access: membership checks live in security definer helpers in `private`
-- so that policies stay one line, evaluate once per query (wrapped in a
-- select) and never recurse into workspace_members' own policies.
--
-- Rules that hold whatever path a change takes (PostgREST, RPC, service):
-- plan limits follow the plan; only an owner makes or unmakes an owner; a
-- workspace always keeps an owner; every new auth user gets a profile, a
-- personal workspace and its ownership.
--
-- RPCs for what a policy cannot express: creating a workspace with its
-- owner, invitations with hashed tokens, role changes, API keys shown once.
-- Each public function is a thin security invoker wrapper over a security
-- definer implementation in `private` that checks the caller itself.
-- Errors: 28000 not signed in, 42501 not allowed, 22023 bad input,
-- P0002 not found, 23505 duplicate, 55000 wrong state, 54000 plan limit.
--
-- Audit: every change to members, invitations, API keys and workspace
-- settings lands in activity_log with the acting user, whatever path made
-- it. Hashes are never copied into the log.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.profile_status as enum ('pending', 'active', 'suspended', 'deleted');
comment on type public.profile_status is 'pending until the email is confirmed in Supabase Auth; deleted is a soft delete.';
create type public.platform_role as enum ('user', 'admin', 'super_admin');
comment on type public.platform_role is 'Platform-wide role (not per workspace), set from auth app_metadata by the service only.';
create type public.account_type as enum ('business', 'customer');
create type public.business_type as enum ('tailor', 'fashion_designer', 'manufacturer', 'influencer', 'retail', 'services', 'other');

-- Declared lowest to highest so that role >= 'admin' means "admin or owner".
create type public.member_role as enum ('viewer', 'member', 'admin', 'owner');
comment on type public.member_role is 'Workspace role, ordered: viewer < member < admin < owner.';
create type public.member_status as enum ('active', 'suspended');
create type public.invitation_status as enum ('pending', 'accepted', 'revoked', 'expired');
create type public.workspace_plan as enum ('free', 'basic', 'premium', 'enterprise');
create type public.subscription_status as enum ('trialing', 'active', 'past_due', 'suspended', 'cancelled');
create type public.log_level as enum ('debug', 'info', 'warning', 'error', 'critical');
create type public.verification_type as enum ('email', 'sms', 'whatsapp');
create type public.verification_status as enum ('sent', 'delivered', 'failed', 'verified');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text,
  phone text,
  first_name text check (char_length(first_name) <= 100),
  last_name text check (char_length(last_name) <= 100),
  full_name text check (char_length(full_name) <= 200),
  username text check (username ~ '^[a-z0-9][a-z0-9_.]{2,29}$'),
  avatar_url text check (avatar_url ~ '^https?://'),
  status public.profile_status not null default 'pending',
  platform_role public.platform_role not null default 'user',
  account_type public.account_type not null default 'business',
  business_type public.business_type,
  country_code text check (country_code ~ '^[A-Z]{2}$'),
  region text,
  data_residency_region text,
  onboarding_completed boolean not null default false,
  onboarding_step text,
  last_login_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'One row per Supabase Auth user: the person behind every membership. Email and phone mirror auth.users; passwords, sessions and OAuth identities stay in Supabase Auth.';
comment on column public.profiles.email is 'Mirror of auth.users.email, kept by trigger; change it through Supabase Auth.';
comment on column public.profiles.phone is 'Mirror of auth.users.phone, kept by trigger; change it through Supabase Auth.';
comment on column public.profiles.username is 'Optional public handle, lowercase, unique.';
comment on column public.profiles.platform_role is 'Copied from auth app_metadata.platform_role (writable only with the service role); never from user_metadata.';
comment on column public.profiles.last_login_at is 'Mirror of auth.users.last_sign_in_at.';
comment on column public.profiles.deleted_at is 'Soft delete: set with status deleted; the auth user is removed separately.';

-- A time zone the server knows by its IANA name; an unknown one is refused
-- with a message instead of a bare check violation. Defined before the
-- table whose check calls it.
create function private.check_time_zone(tz text)
returns boolean
language plpgsql stable set search_path = ''
as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names n where n.name = tz) then
    raise exception 'unknown time zone "%"', tz using errcode = '22023',
      hint = 'use an IANA name such as America/Sao_Paulo or UTC (see pg_timezone_names)';
  end if;
  return true;
end
$$;

create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 100),
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  business_type public.business_type,
  description text check (char_length(description) <= 2000),
  logo_url text check (logo_url ~ '^https?://'),
  settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object'),
  is_personal boolean not null default false,
  plan public.workspace_plan not null default 'free',
  max_channels integer not null default 1 check (max_channels >= 0),
  max_members integer not null default 3 check (max_members >= 1),
  max_agents integer not null default 1 check (max_agents >= 0),
  subscription_status public.subscription_status not null default 'active',
  subscription_ends_at timestamptz,
  stripe_account_id text,
  operating_regions text[] not null default '{}',
  primary_market text,
  cross_border_enabled boolean not null default true,
  tax_id text,
  business_documents jsonb,
  -- Meta retries a webhook for up to 7 days; a body kept at least that
  -- long is still recognised as a retry.
  raw_event_retention_days integer not null default 30 check (raw_event_retention_days between 7 and 3650),
  -- WhatsApp's own ceiling is 100 MB (documents); a workspace may ask for less.
  media_max_bytes bigint not null default 104857600 check (media_max_bytes between 1024 and 104857600),
  media_retention_days integer check (media_retention_days between 1 and 36500),
  allow_backorders boolean not null default false,
  -- ISO 4217; orders copy it when made (no conversion anywhere).
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  order_number_format text not null default 'ORD-{number:5}'
    check (char_length(order_number_format) <= 40 and order_number_format ~ '\{number(:[1-9][0-9]?)?\}'
           and regexp_replace(order_number_format, '\{(number(:[1-9][0-9]?)?|YYYY|YY|MM)\}', '', 'g') ~ '^[A-Za-z0-9 ._/#-]*$'),
  default_tax_rate numeric(5, 2) not null default 0 check (default_tax_rate between 0 and 100),
  -- Invoice numbers restart each year (finance module), so the format
  -- must carry the year: {YYYY} or {YY}.
  invoice_number_format text not null default 'INV-{YYYY}-{number:4}'
    check (char_length(invoice_number_format) <= 40 and invoice_number_format ~ '\{number(:[1-9][0-9]?)?\}'
           and invoice_number_format ~ '\{YY(YY)?\}'
           and regexp_replace(invoice_number_format, '\{(number(:[1-9][0-9]?)?|YYYY|YY|MM)\}', '', 'g') ~ '^[A-Za-z0-9 ._/#-]*$'),
  -- IANA name; the check raises a clear 22023 for an unknown one.
  timezone text not null default 'UTC' check (private.check_time_zone(timezone)),
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.workspaces is 'The tenant. Every business row carries workspace_id; RLS decides by membership in it.';
comment on column public.workspaces.slug is 'URL handle, unique across the platform: lowercase letters, digits and inner dashes.';
comment on column public.workspaces.media_max_bytes is 'Largest inbound file the media module stores (1 KB to 100 MB, default 100 MB, WhatsApp''s own limit); a larger one ends failed with the reason.';
comment on column public.workspaces.media_retention_days is 'Days stored media are kept (null: kept for good); older files are removed from Storage and their media_files rows marked removed.';
comment on column public.workspaces.allow_backorders is 'Whether stock may go below zero (orders taken before the goods exist); otherwise a movement that would do it is refused.';
comment on column public.workspaces.currency is 'ISO 4217 code of the workspace''s money (orders copy it when made); no conversion anywhere.';
comment on column public.workspaces.order_number_format is 'How order numbers read: {number} or {number:N} (the gapless per-workspace counter, zero-padded to N digits) is required; {YYYY}, {YY} and {MM} give the order''s year and month; other characters letters, digits, space and ._/#-. Default ORD-{number:5}.';
comment on column public.workspaces.timezone is 'The workspace''s IANA time zone (e.g. America/Sao_Paulo, default UTC), the calendar the business lives by: all-day events are dates in it; reminders and notices show times and dates in it; finance reports and goals count its months and years; order and invoice numbers take their {YYYY}/{MM} from it, and invoice numbering restarts with its new year. Admins change it (goals are counted afresh).';
comment on column public.workspaces.default_tax_rate is 'Tax rate in percent a new order (or an invoice made by hand) starts with (0 to 100).';
comment on column public.workspaces.invoice_number_format is 'How invoice numbers read: {number} or {number:N} (gapless per workspace and year, zero-padded to N digits) and the year ({YYYY} or {YY}, since numbering restarts each year) are required; {MM} gives the month; other characters letters, digits, space and ._/#-. Default INV-{YYYY}-{number:4}.';
comment on column public.workspaces.raw_event_retention_days is 'Days raw webhook events are kept once processed (7 to 3650, default 30); events that failed stay until replayed. At least 7: Meta redelivers a webhook for up to 7 days, and a kept body is what recognises the retry.';
comment on column public.workspaces.is_personal is 'The workspace created with the account at sign-up.';
comment on column public.workspaces.plan is 'Billing plan; set by the service (billing), not by workspace admins.';
comment on column public.workspaces.max_channels is 'Channel limit of the plan (enforced when channels are added); set with the plan.';
comment on column public.workspaces.max_members is 'Member limit of the plan (enforced on invitation and acceptance).';
comment on column public.workspaces.max_agents is 'Agent limit of the plan (enforced by create_agent; each agent has four tables); set with the plan.';
comment on column public.workspaces.settings is 'Workspace preferences (JSON object); admins edit it.';

-- The time zone a workspace's dates are read in: what day, month and year
-- something happened for the business (reports, goals, invoice years,
-- numbers, notices, all-day events). UTC when there is no workspace.
create function private.workspace_timezone(ws uuid)
returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((select w.timezone from public.workspaces w where w.id = ws), 'UTC')
$$;

create table public.workspace_members (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.member_role not null default 'member',
  permissions jsonb not null default '{}'::jsonb check (jsonb_typeof(permissions) = 'object'),
  status public.member_status not null default 'active',
  invited_by uuid references public.profiles (id) on delete set null,
  joined_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, user_id)
);
comment on table public.workspace_members is 'Who belongs to which workspace with which role. Only active members count for access.';
comment on column public.workspace_members.permissions is 'Fine-grained overrides on top of the role (JSON object), for later modules.';

create table public.workspace_invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  email text not null check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  role public.member_role not null default 'member' check (role <> 'owner'),
  token_hash bytea not null unique,
  status public.invitation_status not null default 'pending',
  invited_by uuid references public.profiles (id) on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references public.profiles (id) on delete set null,
  metadata jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.workspace_invitations is 'Pending and past invitations. The token is shown once to the inviter; only its SHA-256 is stored.';
comment on column public.workspace_invitations.token_hash is 'SHA-256 of the invitation token; never readable by clients.';

create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  key_hash bytea not null unique,
  key_prefix text not null,
  permissions text[] not null default '{}',
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references public.profiles (id) on delete set null,
  created_by uuid references public.profiles (id) on delete set null,
  rate_limit_per_minute integer check (rate_limit_per_minute between 1 and 100000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.api_keys is 'Keys for customers'' servers. The plaintext is returned once by create_api_key; only its SHA-256 is kept.';
comment on column public.api_keys.key_prefix is 'First characters of the key, to recognise it in a list.';
comment on column public.api_keys.permissions is 'Scopes such as messages:send; see private.api_key_scopes().';
comment on column public.api_keys.revoked_at is 'Set by revoke_api_key; a revoked key never authenticates again.';
comment on column public.api_keys.rate_limit_per_minute is 'Requests a minute this key may make through the public API; null: the default of private.api_key_default_rate_limit() (600). Set by the service.';

-- Requests of each key in the current minute, shared by every instance of
-- the api function. Unlogged: a crash forgets at most a minute of counts,
-- and the counter's hot row costs no WAL.
create unlogged table private.api_key_usage (
  api_key_id uuid primary key references public.api_keys (id) on delete cascade,
  window_start timestamptz not null,
  requests integer not null
);

create table public.activity_log (
  id bigint generated always as identity primary key,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  actor_id uuid references public.profiles (id) on delete set null,
  level public.log_level not null default 'info',
  category text not null,
  action text not null,
  message text,
  entity_type text,
  entity_id text,
  data jsonb,
  ip_address inet,
  user_agent text,
  success boolean not null default true,
  error text,
  created_at timestamptz not null default now()
);
comment on table public.activity_log is 'Append-only audit and event trail (user_logs + event_log of the seeds). Written by triggers and server code, never by clients.';
comment on column public.activity_log.actor_id is 'The user who acted (auth.uid() at the time); null for the system.';
comment on column public.activity_log.data is 'Event details, e.g. old and new values of what changed.';

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  type text not null,
  title text not null,
  body text not null,
  action_url text,
  reference_type text,
  reference_id uuid,
  read_at timestamptz,
  is_read boolean generated always as (read_at is not null) stored,
  created_at timestamptz not null default now()
);
comment on table public.notifications is 'In-app notifications for one user; streamed through Realtime.';
comment on column public.notifications.read_at is 'Set when the user reads it; is_read follows.';

create table public.verification_logs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  verification_type public.verification_type not null,
  provider text not null default 'supabase_auth',
  status public.verification_status not null,
  token_hash bytea,
  sent_to text not null,
  sent_at timestamptz not null default now(),
  verified_at timestamptz,
  metadata jsonb
);
comment on table public.verification_logs is 'History of verification messages sent to a user (email, SMS, WhatsApp codes). Written by the service.';
comment on column public.verification_logs.token_hash is 'SHA-256 of the code sent; the code itself is never stored.';

-- ==========================================================================
-- Indexes
-- ==========================================================================

create unique index profiles_username_key on public.profiles (username);
create index profiles_email_idx on public.profiles (lower(email));
create index workspaces_created_by_idx on public.workspaces (created_by);
create index workspace_members_user_id_idx on public.workspace_members (user_id, workspace_id);
create index workspace_members_invited_by_idx on public.workspace_members (invited_by);

create unique index workspace_invitations_pending_key on public.workspace_invitations (workspace_id, email)
  where status = 'pending';

-- The pending-invitation key is partial: the workspace foreign key needs its own.
create index workspace_invitations_workspace_id_idx on public.workspace_invitations (workspace_id, created_at desc);
create index workspace_invitations_email_idx on public.workspace_invitations (email);
create index workspace_invitations_invited_by_idx on public.workspace_invitations (invited_by);
create index workspace_invitations_accepted_by_idx on public.workspace_invitations (accepted_by);
create index api_keys_workspace_id_idx on public.api_keys (workspace_id);
create index api_keys_created_by_idx on public.api_keys (created_by);
create index api_keys_revoked_by_idx on public.api_keys (revoked_by);
create index activity_log_workspace_created_idx on public.activity_log (workspace_id, created_at desc);
create index activity_log_actor_id_idx on public.activity_log (actor_id);
create index activity_log_entity_idx on public.activity_log (entity_type, entity_id);
create index notifications_user_unread_idx on public.notifications (user_id, is_read, created_at desc);
create index notifications_workspace_id_idx on public.notifications (workspace_id);
create index verification_logs_user_id_idx on public.verification_logs (user_id, sent_at desc);

-- ==========================================================================
-- Functions
-- ==========================================================================

-- The workspace an API key confines this request to, or null. Only the api
-- Edge Function sets the claim (shared/db.ts withClaims, as the key's
-- creator): a Supabase Auth JWT carries a fixed set of top-level claims
-- (user-editable metadata sits under user_metadata), so a user cannot put
-- api_key in their own token; and the claim only ever narrows what the
-- user reaches, never widens it. Every membership helper below honours it,
-- so every policy and RPC built on them sees one workspace.
create function private.api_key_workspace()
returns uuid
language sql stable set search_path = ''
as $$
  select (nullif(current_setting('request.jwt.claims', true), '')::jsonb #>> '{api_key,workspace_id}')::uuid
$$;
comment on function private.api_key_workspace() is
  'The workspace of the API key a request runs under (claim api_key.workspace_id, set only by the api function), or null for a user''s own JWT.';

-- Workspaces where the caller is an active member with at least min_role.
-- PL/pgSQL rather than SQL: a SQL function that cannot be inlined (security
-- definer) is parsed and planned at every call, and every tenant policy
-- calls this one once per statement; PL/pgSQL keeps the plan for the
-- session (measured: 62 -> 23 us a call).
create function private.workspaces_with_role(min_role public.member_role)
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
    select m.workspace_id
      from public.workspace_members m
     where m.user_id = (select auth.uid())
       and m.status = 'active'
       and m.role >= min_role
       and m.workspace_id = coalesce((select private.api_key_workspace()), m.workspace_id);
end
$$;
comment on function private.workspaces_with_role(public.member_role) is
  'Workspace ids where the caller is an active member with at least the given role. Used by every tenant policy.';

-- The caller's role in one workspace, or null.
create function private.workspace_role(ws uuid)
returns public.member_role
language sql stable security definer set search_path = ''
as $$
  select m.role
    from public.workspace_members m
   where m.workspace_id = ws
     and m.user_id = (select auth.uid())
     and m.status = 'active'
     and m.workspace_id = coalesce((select private.api_key_workspace()), m.workspace_id)
$$;
comment on function private.workspace_role(uuid) is 'The caller''s active role in the workspace, or null when not a member.';

create function private.has_workspace_role(ws uuid, min_role public.member_role)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.workspace_role(ws) >= min_role, false)
$$;
comment on function private.has_workspace_role(uuid, public.member_role) is 'True when the caller is an active member of the workspace with at least the given role.';

-- Postgres fires BEFORE triggers ahead of a policy's WITH CHECK, so a
-- trigger that checks a new row's references answers whoever inserts it,
-- outsiders included. Such triggers call this first: a client (a signed-in
-- user, or a request running as anon or authenticated) without the role the
-- table's policy asks for gets RLS's own refusal, whatever the row names
-- and the workspace holds, before anything is looked at or locked. The
-- service and the database's own jobs pass. Inserts only: an update's row
-- has passed the policy's USING already, and no client may move a row to
-- another workspace (workspace_id is never in an update grant), while the
-- updates a cascade makes during a workspace's deletion run after its
-- memberships are gone.
-- A security definer function that has checked its caller itself and then
-- writes on their behalf into a workspace they are not a member of (a
-- marketplace purchase becoming the seller's order) sets
-- threadline.on_behalf for those writes: the database's own checks then
-- treat them as the database's, not as the client's.
create function private.is_client()
returns boolean
language sql stable set search_path = ''
as $$
  select ((select auth.uid()) is not null or current_setting('role', true) in ('anon', 'authenticated'))
     and current_setting('threadline.on_behalf', true) is distinct from 'on'
$$;
comment on function private.is_client() is
  'True for a client request (a signed-in user, or anon/authenticated), whose writes RLS decides; false for the service, jobs and writes made on a client''s behalf (threadline.on_behalf).';

create function private.require_writer(ws uuid, min_role public.member_role, tbl text)
returns void
language plpgsql stable set search_path = ''
as $$
begin
  if private.is_client() and not private.has_workspace_role(ws, min_role) then
    raise exception 'new row violates row-level security policy for table "%"', tbl using errcode = '42501';
  end if;
end
$$;
comment on function private.require_writer(uuid, public.member_role, text) is
  'First statement of checks that run before RLS: refuses a client without the role as RLS would, before any lookup.';

-- People who share at least one workspace with the caller.
create function private.co_member_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select distinct other.user_id
    from public.workspace_members mine
    join public.workspace_members other on other.workspace_id = mine.workspace_id
   where mine.user_id = (select auth.uid())
     and mine.status = 'active'
     and mine.workspace_id = coalesce((select private.api_key_workspace()), mine.workspace_id)
$$;
comment on function private.co_member_ids() is 'Users who share a workspace with the caller; they may see each other''s profiles.';

create function private.is_platform_admin()
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.profiles p
     where p.id = (select auth.uid())
       and p.platform_role in ('admin', 'super_admin')
       and p.status = 'active')
     -- A key acts inside its one workspace, whoever created it.
     and (select private.api_key_workspace()) is null
$$;
comment on function private.is_platform_admin() is 'True for platform admins and super admins (profiles.platform_role, which only the service sets); never under an API key.';

-- The caller's email as Supabase Auth has it, only once confirmed: an
-- unconfirmed address proves nothing about who holds it.
create function private.confirmed_email()
returns text
language sql stable security definer set search_path = ''
as $$
  select lower(u.email)
    from auth.users u
   where u.id = (select auth.uid())
     and u.email_confirmed_at is not null
$$;
comment on function private.confirmed_email() is 'The caller''s confirmed email address (lowercase), or null.';

-- Plan limits --------------------------------------------------------------
create function private.plan_limits(p public.workspace_plan)
returns table (max_channels integer, max_members integer, max_agents integer)
language sql immutable set search_path = ''
as $$
  select l.max_channels, l.max_members, l.max_agents from (values
    ('free'::public.workspace_plan, 1, 3, 1),
    ('basic', 3, 10, 5),
    ('premium', 10, 50, 50),
    ('enterprise', 100, 1000, 1000)) as l(plan, max_channels, max_members, max_agents)
  where l.plan = p
$$;
comment on function private.plan_limits(public.workspace_plan) is 'Default limits of each plan; a workspace may carry negotiated limits instead.';

-- A plan change resets the limits to the plan's, unless the same statement
-- sets them explicitly (a negotiated enterprise deal, say).
create function private.apply_plan_limits()
returns trigger
language plpgsql set search_path = ''
as $$
declare
  l record;
begin
  if tg_op = 'INSERT' or new.plan is distinct from old.plan then
    select * into l from private.plan_limits(new.plan);
    if tg_op = 'INSERT' or new.max_channels = old.max_channels then
      new.max_channels := l.max_channels;
    end if;
    if tg_op = 'INSERT' or new.max_members = old.max_members then
      new.max_members := l.max_members;
    end if;
    if tg_op = 'INSERT' or new.max_agents = old.max_agents then
      new.max_agents := l.max_agents;
    end if;
  end if;
  return new;
end
$$;

-- Membership rules -----------------------------------------------------------
create function private.guard_membership()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
  actor_role public.member_role;
  other_owners integer;
begin
  if tg_op = 'UPDATE' and (new.workspace_id <> old.workspace_id or new.user_id <> old.user_id) then
    raise exception 'a membership cannot move to another workspace or user'
      using errcode = '22023';
  end if;

  -- Cascades from deleting the workspace or the person are not a removal.
  if tg_op = 'DELETE' and (
       not exists (select 1 from public.workspaces w where w.id = old.workspace_id)
    or not exists (select 1 from public.profiles p where p.id = old.user_id)) then
    return old;
  end if;

  -- Serialize owner changes per workspace so two concurrent demotions cannot
  -- both see the other owner and leave none.
  perform 1 from public.workspaces w where w.id = old.workspace_id for update;

  if actor is not null then
    actor_role := private.workspace_role(old.workspace_id);
    if (old.role = 'owner' or (tg_op = 'UPDATE' and new.role = 'owner' and old.role <> 'owner'))
       and actor_role is distinct from 'owner' then
      raise exception 'only an owner can grant, change or remove the owner role'
        using errcode = '42501';
    end if;
  end if;

  if old.role = 'owner' and old.status = 'active'
     and (tg_op = 'DELETE' or new.role <> 'owner' or new.status <> 'active') then
    select count(*) into other_owners
      from public.workspace_members m
     where m.workspace_id = old.workspace_id and m.role = 'owner' and m.status = 'active'
       and m.id <> old.id;
    if other_owners = 0 then
      raise exception 'a workspace must keep at least one owner: make someone else owner first'
        using errcode = '55000';
    end if;
  end if;

  if tg_op = 'DELETE' then
    return old;
  end if;
  return new;
end
$$;
comment on function private.guard_membership() is
  'Owner rules for workspace_members: only owners touch the owner role, and the last owner stays.';

-- Sign-up ----------------------------------------------------------------------

-- A URL-safe slug from free text, made unique with a short random suffix.
create function private.unique_slug(base text)
returns text
language plpgsql volatile set search_path = ''
as $$
declare
  stem text := trim(both '-' from left(regexp_replace(lower(coalesce(base, '')), '[^a-z0-9]+', '-', 'g'), 40));
  candidate text;
begin
  if stem = '' then
    stem := 'workspace';
  end if;
  loop
    candidate := stem || '-' || substr(md5(gen_random_uuid()::text), 1, 6);
    exit when not exists (select 1 from public.workspaces w where w.slug = candidate);
  end loop;
  return candidate;
end
$$;

create function private.platform_role_of(app_metadata jsonb)
returns public.platform_role
language sql immutable set search_path = ''
as $$
  select case when app_metadata ->> 'platform_role' in ('user', 'admin', 'super_admin')
              then (app_metadata ->> 'platform_role')::public.platform_role
              else 'user'::public.platform_role end
$$;

-- Runs as the role GoTrue uses (supabase_auth_admin) on hosted, hence
-- security definer and fully qualified names.
create function private.handle_new_user()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  display text;
  ws uuid;
begin
  display := nullif(trim(coalesce(meta ->> 'full_name', meta ->> 'name',
                                  concat_ws(' ', meta ->> 'first_name', meta ->> 'last_name'))), '');

  insert into public.profiles (id, email, phone, first_name, last_name, full_name, avatar_url,
                               status, platform_role, account_type)
  values (
    new.id, lower(new.email), new.phone,
    left(meta ->> 'first_name', 100), left(meta ->> 'last_name', 100), left(display, 200),
    case when meta ->> 'avatar_url' ~ '^https?://' then meta ->> 'avatar_url' end,
    case when new.email_confirmed_at is not null or new.phone_confirmed_at is not null
         then 'active'::public.profile_status else 'pending'::public.profile_status end,
    private.platform_role_of(new.raw_app_meta_data),
    case when meta ->> 'account_type' = 'customer' then 'customer'::public.account_type
         else 'business'::public.account_type end);

  insert into public.workspaces (name, slug, is_personal, created_by)
  values (left(coalesce(display, split_part(coalesce(new.email, new.phone, 'my'), '@', 1)), 80) || '''s workspace',
          private.unique_slug(coalesce(split_part(new.email, '@', 1), display, 'workspace')),
          true, new.id)
  returning id into ws;

  insert into public.workspace_members (workspace_id, user_id, role)
  values (ws, new.id, 'owner');
  return new;
end
$$;
comment on function private.handle_new_user() is
  'After a Supabase Auth sign-up: profile, personal workspace, owner membership.';

create function private.sync_auth_user()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.profiles p
     set email = lower(new.email),
         phone = new.phone,
         last_login_at = new.last_sign_in_at,
         platform_role = private.platform_role_of(new.raw_app_meta_data),
         status = case when p.status = 'pending'
                        and (new.email_confirmed_at is not null or new.phone_confirmed_at is not null)
                       then 'active'::public.profile_status else p.status end
   where p.id = new.id;
  return new;
end
$$;
comment on function private.sync_auth_user() is
  'Keeps profiles.email/phone/last_login_at/platform_role/status in step with auth.users.';

-- Deleting a person: workspaces where they are the only member go with
-- them; a workspace where they are the last owner but others remain must
-- be handed over first, so nobody's data is orphaned or silently deleted.
create function private.before_profile_delete()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  stranded text;
begin
  select string_agg(w.name, ', ') into stranded
    from public.workspaces w
    join public.workspace_members m on m.workspace_id = w.id and m.user_id = old.id
   where m.role = 'owner'
     and not exists (select 1 from public.workspace_members o
                      where o.workspace_id = w.id and o.user_id <> old.id
                        and o.role = 'owner' and o.status = 'active')
     and exists (select 1 from public.workspace_members o
                  where o.workspace_id = w.id and o.user_id <> old.id);
  if stranded is not null then
    raise exception 'user is the last owner of workspaces with other members (%): transfer ownership first', stranded
      using errcode = '55000';
  end if;

  delete from public.workspaces w
   where exists (select 1 from public.workspace_members m where m.workspace_id = w.id and m.user_id = old.id)
     and not exists (select 1 from public.workspace_members o where o.workspace_id = w.id and o.user_id <> old.id);
  return old;
end
$$;

create function private.require_user()
returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
begin
  if uid is null then
    raise exception 'sign in first' using errcode = '28000';
  end if;
  return uid;
end
$$;

create function private.require_role(ws uuid, min_role public.member_role)
returns void
language plpgsql stable security definer set search_path = ''
as $$
begin
  perform private.require_user();
  if not private.has_workspace_role(ws, min_role) then
    raise exception 'you need the % role in this workspace', min_role using errcode = '42501';
  end if;
end
$$;

-- Plaintext tokens: 32 random bytes, hex, with a readable prefix.
create function private.new_token(prefix text)
returns text
language sql volatile set search_path = ''
as $$
  select prefix || encode(extensions.gen_random_bytes(32), 'hex')
$$;

create function private.token_hash(token text)
returns bytea
language sql immutable strict set search_path = ''
as $$
  select sha256(convert_to(token, 'UTF8'))
$$;

create function private.normalize_email(email text)
returns text
language plpgsql immutable set search_path = ''
as $$
declare
  e text := lower(trim(email));
begin
  if e is null or e !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception 'invalid email address: %', coalesce(email, 'null') using errcode = '22023';
  end if;
  return e;
end
$$;

-- Workspaces -------------------------------------------------------------------
create function private.create_workspace(p_name text, p_slug text, p_business_type public.business_type)
returns public.workspaces
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_user();
  ws public.workspaces;
begin
  if p_name is null or char_length(trim(p_name)) not between 1 and 100 then
    raise exception 'workspace name must be 1 to 100 characters' using errcode = '22023';
  end if;
  if p_slug is not null and p_slug !~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$' then
    raise exception 'slug must be lowercase letters, digits and inner dashes (at most 48)' using errcode = '22023';
  end if;
  if p_slug is not null and exists (select 1 from public.workspaces w where w.slug = p_slug) then
    raise exception 'slug % is taken', p_slug using errcode = '23505';
  end if;
  insert into public.workspaces (name, slug, business_type, created_by)
  values (trim(p_name), coalesce(p_slug, private.unique_slug(p_name)), p_business_type, uid)
  returning * into ws;
  insert into public.workspace_members (workspace_id, user_id, role) values (ws.id, uid, 'owner');
  return ws;
end
$$;

create function public.create_workspace(name text, slug text default null, business_type public.business_type default null)
returns public.workspaces
language sql security invoker set search_path = ''
as $$ select * from private.create_workspace(name, slug, business_type) $$;
comment on function public.create_workspace(text, text, public.business_type) is
  'Creates a workspace owned by the caller. slug defaults to one derived from the name.';

-- Invitations ----------------------------------------------------------------
-- Locks the workspace row, as every limit check does, so that concurrent
-- invitations and acceptances are counted one after the other.
create function private.check_member_limit(ws uuid, extra integer)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  lim integer;
  used integer;
begin
  select w.max_members into lim from public.workspaces w where w.id = ws for update;
  select (select count(*) from public.workspace_members m where m.workspace_id = ws)
       + (select count(*) from public.workspace_invitations i
           where i.workspace_id = ws and i.status = 'pending' and i.expires_at > now())
    into used;
  if used + extra > lim then
    raise exception 'the workspace''s plan allows % members (including pending invitations)', lim
      using errcode = '54000';
  end if;
end
$$;

create function private.invite_member(p_workspace uuid, p_email text, p_role public.member_role, p_valid_for interval)
returns table (invitation_id uuid, token text, expires_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_user();
  e text := private.normalize_email(p_email);
  t text := private.new_token('tlinv_');
  inv public.workspace_invitations;
begin
  perform private.require_role(p_workspace, 'admin');
  if p_role is null or p_role = 'owner' then
    raise exception 'invite as admin, member or viewer; make owners with change_member_role' using errcode = '22023';
  end if;
  if p_valid_for is null or p_valid_for <= interval '0' or p_valid_for > interval '30 days' then
    raise exception 'an invitation is valid for up to 30 days' using errcode = '22023';
  end if;
  if exists (select 1 from public.workspace_members m join public.profiles p on p.id = m.user_id
              where m.workspace_id = p_workspace and p.email = e) then
    raise exception '% is already a member of this workspace', e using errcode = '23505';
  end if;
  -- Inviting again replaces the pending invitation (and its token).
  update public.workspace_invitations i set status = 'revoked'
   where i.workspace_id = p_workspace and i.email = e and i.status = 'pending';
  perform private.check_member_limit(p_workspace, 1);
  insert into public.workspace_invitations (workspace_id, email, role, token_hash, invited_by, expires_at)
  values (p_workspace, e, p_role, private.token_hash(t), uid, now() + p_valid_for)
  returning * into inv;
  return query select inv.id, t, inv.expires_at;
end
$$;

create function public.invite_member(workspace_id uuid, email text, role public.member_role default 'member',
                                     valid_for interval default '7 days')
returns table (invitation_id uuid, token text, expires_at timestamptz)
language sql security invoker set search_path = ''
as $$ select * from private.invite_member(workspace_id, email, role, valid_for) $$;
comment on function public.invite_member(uuid, text, public.member_role, interval) is
  'Admins invite someone by email. Returns the token once; send it to the invitee. Only its hash is stored.';

create function private.accept_invitation(p_token text)
returns public.workspace_members
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_user();
  my_email text := private.confirmed_email();
  inv public.workspace_invitations;
  mem public.workspace_members;
  lim integer;
begin
  if p_token is null or p_token = '' then
    raise exception 'invitation token is required' using errcode = '22023';
  end if;
  select * into inv from public.workspace_invitations i
   where i.token_hash = private.token_hash(p_token) for update;
  if not found then
    raise exception 'invitation not found' using errcode = 'P0002';
  end if;
  if inv.status = 'accepted' then
    raise exception 'invitation has already been used' using errcode = '55000';
  elsif inv.status = 'revoked' then
    raise exception 'invitation was revoked' using errcode = '55000';
  elsif inv.status = 'expired' or inv.expires_at <= now() then
    raise exception 'invitation expired on %', inv.expires_at using errcode = '55000';
  end if;
  if my_email is null then
    raise exception 'confirm your email address before accepting invitations' using errcode = '42501';
  end if;
  if my_email <> inv.email then
    raise exception 'this invitation was sent to another email address' using errcode = '42501';
  end if;

  select * into mem from public.workspace_members m where m.workspace_id = inv.workspace_id and m.user_id = uid;
  if not found then
    -- The plan may have shrunk, or invitations raced, since this one was
    -- sent: the seat is checked again, under the workspace lock. Only the
    -- invitee holding a valid token for their own address gets this far,
    -- and learns only that the workspace is full.
    select w.max_members into lim from public.workspaces w where w.id = inv.workspace_id for update;
    if (select count(*) from public.workspace_members m where m.workspace_id = inv.workspace_id) + 1 > lim then
      raise exception 'the workspace has no room for another member: ask its admins to make room or change plan'
        using errcode = '54000';
    end if;
    insert into public.workspace_members (workspace_id, user_id, role, invited_by)
    values (inv.workspace_id, uid, inv.role, inv.invited_by)
    returning * into mem;
  end if;
  update public.workspace_invitations i
     set status = 'accepted', accepted_at = now(), accepted_by = uid
   where i.id = inv.id;
  return mem;
end
$$;

create function public.accept_invitation(token text)
returns public.workspace_members
language sql security invoker set search_path = ''
as $$ select * from private.accept_invitation(token) $$;
comment on function public.accept_invitation(text) is
  'Joins the workspace of the invitation. The caller''s confirmed email must be the invited one; a token works once.';

create function private.revoke_invitation(p_invitation uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  inv public.workspace_invitations;
begin
  perform private.require_user();
  -- Who may act is settled before anything is locked.
  if not private.has_workspace_role((select i.workspace_id from public.workspace_invitations i where i.id = p_invitation),
                                    'admin') then
    raise exception 'invitation not found' using errcode = 'P0002';
  end if;
  select * into inv from public.workspace_invitations i where i.id = p_invitation for update;
  if inv.status <> 'pending' then
    raise exception 'only a pending invitation can be revoked (this one is %)', inv.status using errcode = '55000';
  end if;
  update public.workspace_invitations i set status = 'revoked' where i.id = p_invitation;
end
$$;

create function public.revoke_invitation(invitation_id uuid)
returns void
language sql security invoker set search_path = ''
as $$ select private.revoke_invitation(invitation_id) $$;
comment on function public.revoke_invitation(uuid) is 'Admins cancel a pending invitation; its token stops working.';

-- Members ------------------------------------------------------------------------
create function private.change_member_role(p_workspace uuid, p_user uuid, p_role public.member_role)
returns public.workspace_members
language plpgsql security definer set search_path = ''
as $$
declare
  mem public.workspace_members;
begin
  perform private.require_role(p_workspace, 'admin');
  if p_role is null then
    raise exception 'role is required' using errcode = '22023';
  end if;
  update public.workspace_members m set role = p_role
   where m.workspace_id = p_workspace and m.user_id = p_user
  returning * into mem;
  if not found then
    raise exception 'that user is not a member of this workspace' using errcode = 'P0002';
  end if;
  return mem;
end
$$;

create function public.change_member_role(workspace_id uuid, user_id uuid, role public.member_role)
returns public.workspace_members
language sql security invoker set search_path = ''
as $$ select * from private.change_member_role(workspace_id, user_id, role) $$;
comment on function public.change_member_role(uuid, uuid, public.member_role) is
  'Admins change roles; only owners grant or take the owner role; the last owner cannot be demoted.';

create function private.remove_member(p_workspace uuid, p_user uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_user();
begin
  if p_user is distinct from uid then
    perform private.require_role(p_workspace, 'admin');
  end if;
  delete from public.workspace_members m where m.workspace_id = p_workspace and m.user_id = p_user;
  if not found then
    raise exception 'that user is not a member of this workspace' using errcode = 'P0002';
  end if;
end
$$;

create function public.remove_member(workspace_id uuid, user_id uuid)
returns void
language sql security invoker set search_path = ''
as $$ select private.remove_member(workspace_id, user_id) $$;
comment on function public.remove_member(uuid, uuid) is
  'Admins remove a member; anyone may remove themselves. The last owner cannot leave.';

-- API keys -----------------------------------------------------------------------

-- Scopes a key may carry; a module that adds an API capability adds its
-- scope here.
create function private.api_key_scopes()
returns text[]
language sql immutable set search_path = ''
as $$
  select array['*', 'messages:read', 'messages:send', 'contacts:read', 'contacts:write',
               'conversations:read', 'conversations:write', 'templates:read', 'templates:write',
               'campaigns:read', 'campaigns:write', 'campaigns:manage', 'hooks:manage', 'agents:read',
               'agents:write']
$$;

create function private.create_api_key(p_workspace uuid, p_name text, p_permissions text[], p_expires_at timestamptz)
returns table (id uuid, key text, key_prefix text, permissions text[], expires_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_user();
  k text := private.new_token('tl_');
  unknown text[];
  rec public.api_keys;
begin
  perform private.require_role(p_workspace, 'admin');
  if p_name is null or char_length(trim(p_name)) not between 1 and 100 then
    raise exception 'key name must be 1 to 100 characters' using errcode = '22023';
  end if;
  select array_agg(s) into unknown
    from unnest(coalesce(p_permissions, '{}')) s
   where s <> all (private.api_key_scopes());
  if unknown is not null then
    raise exception 'unknown permissions: %', array_to_string(unknown, ', ') using errcode = '22023';
  end if;
  if p_expires_at is not null and p_expires_at <= now() then
    raise exception 'expires_at must be in the future' using errcode = '22023';
  end if;
  insert into public.api_keys (workspace_id, name, key_hash, key_prefix, permissions, expires_at, created_by)
  values (p_workspace, trim(p_name), private.token_hash(k), left(k, 11),
          (select coalesce(array_agg(distinct s order by s), '{}') from unnest(coalesce(p_permissions, '{}')) s),
          p_expires_at, uid)
  returning * into rec;
  return query select rec.id, k, rec.key_prefix, rec.permissions, rec.expires_at;
end
$$;

create function public.create_api_key(workspace_id uuid, name text, permissions text[] default '{}',
                                      expires_at timestamptz default null)
returns table (id uuid, key text, key_prefix text, permissions text[], expires_at timestamptz)
language sql security invoker set search_path = ''
as $$ select * from private.create_api_key(workspace_id, name, permissions, expires_at) $$;
comment on function public.create_api_key(uuid, text, text[], timestamptz) is
  'Admins create a key for a server. The plaintext key is returned this once; store it safely.';

create function private.revoke_api_key(p_key uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  rec public.api_keys;
begin
  perform private.require_user();
  if not private.has_workspace_role((select k.workspace_id from public.api_keys k where k.id = p_key), 'admin') then
    raise exception 'API key not found' using errcode = 'P0002';
  end if;
  select * into rec from public.api_keys k where k.id = p_key for update;
  if rec.revoked_at is not null then
    raise exception 'API key was already revoked' using errcode = '55000';
  end if;
  update public.api_keys k set revoked_at = now(), revoked_by = (select auth.uid()) where k.id = p_key;
end
$$;

create function public.revoke_api_key(key_id uuid)
returns void
language sql security invoker set search_path = ''
as $$ select private.revoke_api_key(key_id) $$;
comment on function public.revoke_api_key(uuid) is 'Admins revoke a key; it never authenticates again.';

create function private.api_key_default_rate_limit()
returns integer
language sql immutable set search_path = ''
as $$ select 600 $$;
comment on function private.api_key_default_rate_limit() is 'Requests a minute an API key may make unless api_keys.rate_limit_per_minute says otherwise.';

-- For Edge Functions (service role only): who does this key act for, and
-- may it make one more request this minute? Every refusal is the same
-- 28000 "invalid API key", so a caller learns nothing about a key that
-- does not work (unknown, revoked, expired, its workspace suspended, its
-- creator gone). Checked on every request, so any of these stops the key
-- at once.
create function private.authenticate_api_key(p_key text)
returns table (api_key_id uuid, workspace_id uuid, user_id uuid, permissions text[],
               rate_limit integer, retry_after_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  rec public.api_keys;
  lim integer;
  used integer;
  win timestamptz;
  minute timestamptz := date_trunc('minute', now());
begin
  select * into rec from public.api_keys k where k.key_hash = private.token_hash(p_key);
  if not found or rec.revoked_at is not null or (rec.expires_at is not null and rec.expires_at <= now())
     or rec.created_by is null
     or not exists (select 1 from public.workspaces w
                     where w.id = rec.workspace_id and w.subscription_status not in ('suspended', 'cancelled'))
     or not exists (select 1 from public.workspace_members m
                     where m.workspace_id = rec.workspace_id and m.user_id = rec.created_by and m.status = 'active')
     or exists (select 1 from public.profiles p where p.id = rec.created_by and p.status in ('suspended', 'deleted')) then
    raise exception 'invalid API key' using errcode = '28000';
  end if;
  -- Fixed one-minute windows: one upsert of the key's row per request.
  lim := coalesce(rec.rate_limit_per_minute, private.api_key_default_rate_limit());
  insert into private.api_key_usage as u (api_key_id, window_start, requests)
  values (rec.id, minute, 1)
  on conflict on constraint api_key_usage_pkey do update
     set requests = case when u.window_start = excluded.window_start then u.requests + 1 else 1 end,
         window_start = excluded.window_start
  returning u.requests, u.window_start into used, win;
  -- At most one write a minute per key: a busy integration must not turn
  -- every request into a hot-row update of api_keys.
  update public.api_keys k set last_used_at = now()
   where k.id = rec.id and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute');
  return query select rec.id, rec.workspace_id, rec.created_by, rec.permissions, lim,
    case when used > lim then greatest(1, ceil(extract(epoch from win + interval '1 minute' - now()))::integer) end;
end
$$;
comment on function private.authenticate_api_key(text) is
  'Service only: resolves a plaintext API key to its workspace, creator and permissions and counts the request against the key''s per-minute limit (retry_after_seconds set once over it); refuses unknown, revoked and expired keys, keys of suspended workspaces and keys whose creator is no longer an active member, all with the same error.';

-- Notifications ----------------------------------------------------------------
create function public.mark_notifications_read(ids uuid[] default null)
returns integer
language sql security invoker set search_path = ''
as $$
  with done as (
    update public.notifications n set read_at = now()
     where n.user_id = (select auth.uid()) and n.read_at is null
       and (ids is null or n.id = any (ids))
    returning 1)
  select count(*)::int from done
$$;
comment on function public.mark_notifications_read(uuid[]) is
  'Marks the caller''s notifications read (all unread ones when ids is null); returns how many.';

-- Audit ------------------------------------------------------------------------

-- PostgREST puts the request headers in request.headers; outside a request
-- (the service, a cron job) they are simply absent.
create function private.request_header(name text)
returns text
language sql stable set search_path = ''
as $$
  select nullif(current_setting('request.headers', true), '')::jsonb ->> name
$$;

create function private.request_ip()
returns inet
language plpgsql stable set search_path = ''
as $$
declare
  raw text := split_part(coalesce(private.request_header('x-forwarded-for'),
                                  private.request_header('x-real-ip'), ''), ',', 1);
begin
  return nullif(trim(raw), '')::inet;
exception when invalid_text_representation then
  return null;
end
$$;

create function private.audit_change()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  category text := tg_argv[0];
  old_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) - 'key_hash' - 'token_hash' end;
  new_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) - 'key_hash' - 'token_hash' end;
  row_data jsonb := coalesce(new_row, old_row);
  ws uuid;
  changed jsonb;
  verb text := case tg_op when 'INSERT' then 'created' when 'UPDATE' then 'updated' else 'deleted' end;
begin
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, jsonb_build_object('old', old_row -> n.key, 'new', n.value))
      into changed
      from jsonb_each(new_row) n
     -- bookkeeping that changes constantly and tells an auditor nothing
     where n.key not in ('updated_at', 'last_used_at', 'qr_code', 'qr_expires_at', 'pairing_code',
                         'last_synced_at', 'connection_retries')
       and n.value is distinct from old_row -> n.key;
    if changed is null then
      return null;  -- nothing an auditor cares about changed
    end if;
  end if;

  ws := case when tg_table_name = 'workspaces' then (row_data ->> 'id')::uuid
             else (row_data ->> 'workspace_id')::uuid end;
  -- A deleted workspace takes its log with it; keep that one event visible
  -- to whoever deleted it by filing it under no workspace.
  if tg_table_name = 'workspaces' and tg_op = 'DELETE' then
    ws := null;
  elsif tg_op = 'DELETE' and not exists (select 1 from public.workspaces w where w.id = ws) then
    return null;  -- cascade from the workspace deletion logged above
  end if;

  insert into public.activity_log (workspace_id, actor_id, level, category, action, entity_type, entity_id,
                                   data, ip_address, user_agent)
  values (ws, (select auth.uid()), 'info', category, category || '.' || verb, tg_table_name,
          row_data ->> 'id',
          case tg_op when 'UPDATE' then jsonb_build_object('changes', changed)
                     when 'INSERT' then jsonb_build_object('new', new_row)
                     else jsonb_build_object('old', old_row) end,
          private.request_ip(), private.request_header('user-agent'));
  return null;
end
$$;
comment on function private.audit_change() is
  'AFTER trigger writing one activity_log row per change, with the acting user and changed fields.';

-- ==========================================================================
-- Access
-- ==========================================================================

-- Table privileges: anon reaches none of these tables; authenticated gets
-- what its policies can allow, and UPDATE only on the columns a client may
-- change (plans, hashes, owners and timestamps are not among them).
revoke all on public.profiles, public.workspaces, public.workspace_members, public.workspace_invitations,
  public.api_keys, public.activity_log, public.notifications, public.verification_logs
  from anon, authenticated;

grant select on public.profiles to authenticated;

grant update (first_name, last_name, full_name, username, avatar_url, account_type, business_type,
  country_code, region, data_residency_region, onboarding_completed, onboarding_step)
  on public.profiles to authenticated;

grant select, delete on public.workspaces to authenticated;

grant update (name, slug, business_type, description, logo_url, settings, operating_regions,
  primary_market, cross_border_enabled, tax_id, business_documents, raw_event_retention_days, media_max_bytes,
  media_retention_days, allow_backorders, currency, order_number_format, default_tax_rate, invoice_number_format, timezone)
  on public.workspaces to authenticated;

grant select, delete on public.workspace_members to authenticated;
grant update (role, permissions, status) on public.workspace_members to authenticated;

grant select on public.workspace_invitations, public.api_keys, public.activity_log,
  public.verification_logs to authenticated;

grant select, delete on public.notifications to authenticated;
grant update (read_at) on public.notifications to authenticated;
alter table public.profiles enable row level security;
alter table public.workspaces enable row level security;
alter table public.workspace_members enable row level security;
alter table public.workspace_invitations enable row level security;
alter table public.api_keys enable row level security;
alter table public.activity_log enable row level security;
alter table public.notifications enable row level security;
alter table public.verification_logs enable row level security;

-- Tenant columns: the planner cannot know how many workspaces a policy's
-- array holds and guesses ten; with the real count of workspaces (three
-- on a young project) that reads as "most of the table" and plans a
-- sequential scan of every tenant. A caller's workspaces are a small part
-- of a shared table: say so (docs/architecture.md, "Access model").
alter table public.workspace_members alter column workspace_id set (n_distinct = 500);
alter table public.workspace_invitations alter column workspace_id set (n_distinct = 500);
alter table public.api_keys alter column workspace_id set (n_distinct = 500);
alter table public.notifications alter column workspace_id set (n_distinct = 500);
alter table public.activity_log alter column workspace_id set (n_distinct = 500);

-- profiles: yourself, people you share a workspace with, platform admins.
-- Rows are created by the auth.users trigger and removed with the auth user.
create policy profiles_select on public.profiles for select to authenticated
  using (id = (select auth.uid())
         or id = any (array(select private.co_member_ids()))
         or (select private.is_platform_admin()));

create policy profiles_update on public.profiles for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- workspaces: created through create_workspace(); admins edit; owners delete.
create policy workspaces_select on public.workspaces for select to authenticated
  using (id = any (array(select private.workspaces_with_role('viewer')))
         or (select private.is_platform_admin()));

create policy workspaces_update on public.workspaces for update to authenticated
  using (id = any (array(select private.workspaces_with_role('admin'))))
  with check (id = any (array(select private.workspaces_with_role('admin'))));

create policy workspaces_delete on public.workspaces for delete to authenticated
  using (id = any (array(select private.workspaces_with_role('owner'))));

-- workspace_members: members see each other; admins change roles and remove
-- people; anyone may leave. Joining goes through accept_invitation(). The
-- owner rules are enforced by a trigger, whatever the path.
create policy workspace_members_select on public.workspace_members for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy workspace_members_update on public.workspace_members for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy workspace_members_delete on public.workspace_members for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin')))
         or user_id = (select auth.uid()));

-- workspace_invitations: admins of the workspace, and the invitee (by
-- confirmed email). Written only through the invitation RPCs.
create policy workspace_invitations_select on public.workspace_invitations for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin')))
         or email = (select private.confirmed_email()));

-- api_keys: admins list them; created and revoked through RPCs.
create policy api_keys_select on public.api_keys for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

-- activity_log: admins read their workspace's trail; a user reads their own
-- entries that belong to no workspace. Nobody edits history.
create policy activity_log_select on public.activity_log for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin')))
         or (workspace_id is null and actor_id = (select auth.uid())));

-- notifications: strictly the recipient's.
-- notifications: a user's own; under an API key, only those of the key's workspace.
create policy notifications_select on public.notifications for select to authenticated
  using (user_id = (select auth.uid())
         and workspace_id is not distinct from coalesce((select private.api_key_workspace()), workspace_id));

create policy notifications_update on public.notifications for update to authenticated
  using (user_id = (select auth.uid())
         and workspace_id is not distinct from coalesce((select private.api_key_workspace()), workspace_id))
  with check (user_id = (select auth.uid()));

create policy notifications_delete on public.notifications for delete to authenticated
  using (user_id = (select auth.uid())
         and workspace_id is not distinct from coalesce((select private.api_key_workspace()), workspace_id));

create policy verification_logs_select on public.verification_logs for select to authenticated
  using (user_id = (select auth.uid()));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.profiles
  for each row execute function private.set_updated_at();

create trigger set_updated_at before update on public.workspaces
  for each row execute function private.set_updated_at();

create trigger set_updated_at before update on public.workspace_members
  for each row execute function private.set_updated_at();

create trigger set_updated_at before update on public.workspace_invitations
  for each row execute function private.set_updated_at();

create trigger set_updated_at before update on public.api_keys
  for each row execute function private.set_updated_at();

create trigger apply_plan_limits before insert or update of plan on public.workspaces
  for each row execute function private.apply_plan_limits();

create trigger guard_membership before update or delete on public.workspace_members
  for each row execute function private.guard_membership();

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

create trigger on_auth_user_updated after update of email, phone, email_confirmed_at, phone_confirmed_at,
  last_sign_in_at, raw_app_meta_data on auth.users
  for each row execute function private.sync_auth_user();

create trigger before_profile_delete before delete on public.profiles
  for each row execute function private.before_profile_delete();

create trigger audit after insert or update or delete on public.workspace_members
  for each row execute function private.audit_change('member');

create trigger audit after insert or update or delete on public.workspace_invitations
  for each row execute function private.audit_change('invitation');

create trigger audit after insert or update or delete on public.api_keys
  for each row execute function private.audit_change('api_key');

create trigger audit after update or delete on public.workspaces
  for each row execute function private.audit_change('workspace');

-- ==========================================================================
-- Grants
-- ==========================================================================

-- Execute rights: public RPCs for signed-in users only; the private
-- implementations for those wrappers and the policy helpers; key
-- authentication for the service.
grant usage on schema private to authenticated, service_role;
revoke all on all functions in schema private from public;

revoke all on function public.create_workspace(text, text, public.business_type),
  public.invite_member(uuid, text, public.member_role, interval), public.accept_invitation(text),
  public.revoke_invitation(uuid), public.change_member_role(uuid, uuid, public.member_role),
  public.remove_member(uuid, uuid), public.create_api_key(uuid, text, text[], timestamptz),
  public.revoke_api_key(uuid), public.mark_notifications_read(uuid[])
  from public, anon;

grant execute on function public.create_workspace(text, text, public.business_type),
  public.invite_member(uuid, text, public.member_role, interval), public.accept_invitation(text),
  public.revoke_invitation(uuid), public.change_member_role(uuid, uuid, public.member_role),
  public.remove_member(uuid, uuid), public.create_api_key(uuid, text, text[], timestamptz),
  public.revoke_api_key(uuid), public.mark_notifications_read(uuid[])
  to authenticated, service_role;

grant execute on function private.create_workspace(text, text, public.business_type),
  private.invite_member(uuid, text, public.member_role, interval), private.accept_invitation(text),
  private.revoke_invitation(uuid), private.change_member_role(uuid, uuid, public.member_role),
  private.remove_member(uuid, uuid), private.create_api_key(uuid, text, text[], timestamptz),
  private.revoke_api_key(uuid)
  to authenticated, service_role;

grant execute on function private.workspaces_with_role(public.member_role), private.workspace_role(uuid),
  private.has_workspace_role(uuid, public.member_role), private.co_member_ids(),
  private.is_platform_admin(), private.confirmed_email(), private.api_key_workspace()
  to authenticated, service_role;

grant execute on function private.authenticate_api_key(text) to service_role;

-- The workspaces check runs as whoever writes the row.
grant execute on function private.check_time_zone(text) to authenticated, service_role;
-- Called by the modules' security definer functions only.
revoke all on function private.workspace_timezone(uuid) from public;

alter table private.api_key_usage enable row level security;
revoke all on private.api_key_usage from public, anon, authenticated;

-- ==========================================================================
-- Realtime
-- ==========================================================================

-- Inboxes and badges update live.
alter publication supabase_realtime add table public.notifications;
