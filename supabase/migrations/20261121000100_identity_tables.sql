-- Identity and tenancy: who the people are (profiles), the tenant
-- (workspaces), who belongs to which (workspace_members, invitations), how
-- servers authenticate (api_keys), what happened (activity_log) and what a
-- user is told (notifications, verification_logs). Access rules come in the
-- next migration; this one is shape only.

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
create unique index profiles_username_key on public.profiles (username);
create index profiles_email_idx on public.profiles (lower(email));
comment on table public.profiles is 'One row per Supabase Auth user: the person behind every membership. Email and phone mirror auth.users; passwords, sessions and OAuth identities stay in Supabase Auth.';
comment on column public.profiles.email is 'Mirror of auth.users.email, kept by trigger; change it through Supabase Auth.';
comment on column public.profiles.phone is 'Mirror of auth.users.phone, kept by trigger; change it through Supabase Auth.';
comment on column public.profiles.username is 'Optional public handle, lowercase, unique.';
comment on column public.profiles.platform_role is 'Copied from auth app_metadata.platform_role (writable only with the service role); never from user_metadata.';
comment on column public.profiles.last_login_at is 'Mirror of auth.users.last_sign_in_at.';
comment on column public.profiles.deleted_at is 'Soft delete: set with status deleted; the auth user is removed separately.';

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
  subscription_status public.subscription_status not null default 'active',
  subscription_ends_at timestamptz,
  stripe_account_id text,
  operating_regions text[] not null default '{}',
  primary_market text,
  cross_border_enabled boolean not null default true,
  tax_id text,
  business_documents jsonb,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index workspaces_created_by_idx on public.workspaces (created_by);
comment on table public.workspaces is 'The tenant. Every business row carries workspace_id; RLS decides by membership in it.';
comment on column public.workspaces.slug is 'URL handle, unique across the platform: lowercase letters, digits and inner dashes.';
comment on column public.workspaces.is_personal is 'The workspace created with the account at sign-up.';
comment on column public.workspaces.plan is 'Billing plan; set by the service (billing), not by workspace admins.';
comment on column public.workspaces.max_channels is 'Channel limit of the plan (enforced when channels are added); set with the plan.';
comment on column public.workspaces.max_members is 'Member limit of the plan (enforced on invitation and acceptance).';
comment on column public.workspaces.settings is 'Workspace preferences (JSON object); admins edit it.';

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
create index workspace_members_user_id_idx on public.workspace_members (user_id, workspace_id);
create index workspace_members_invited_by_idx on public.workspace_members (invited_by);
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
create unique index workspace_invitations_pending_key on public.workspace_invitations (workspace_id, email)
  where status = 'pending';
create index workspace_invitations_email_idx on public.workspace_invitations (email);
create index workspace_invitations_invited_by_idx on public.workspace_invitations (invited_by);
create index workspace_invitations_accepted_by_idx on public.workspace_invitations (accepted_by);
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
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index api_keys_workspace_id_idx on public.api_keys (workspace_id);
create index api_keys_created_by_idx on public.api_keys (created_by);
create index api_keys_revoked_by_idx on public.api_keys (revoked_by);
comment on table public.api_keys is 'Keys for customers'' servers. The plaintext is returned once by create_api_key; only its SHA-256 is kept.';
comment on column public.api_keys.key_prefix is 'First characters of the key, to recognise it in a list.';
comment on column public.api_keys.permissions is 'Scopes such as messages:send; see private.api_key_scopes().';
comment on column public.api_keys.revoked_at is 'Set by revoke_api_key; a revoked key never authenticates again.';

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
create index activity_log_workspace_created_idx on public.activity_log (workspace_id, created_at desc);
create index activity_log_actor_id_idx on public.activity_log (actor_id);
create index activity_log_entity_idx on public.activity_log (entity_type, entity_id);
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
create index notifications_user_unread_idx on public.notifications (user_id, is_read, created_at desc);
create index notifications_workspace_id_idx on public.notifications (workspace_id);
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
create index verification_logs_user_id_idx on public.verification_logs (user_id, sent_at desc);
comment on table public.verification_logs is 'History of verification messages sent to a user (email, SMS, WhatsApp codes). Written by the service.';
comment on column public.verification_logs.token_hash is 'SHA-256 of the code sent; the code itself is never stored.';

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
