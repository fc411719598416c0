-- Who may touch identity rows. Membership checks live in security definer
-- helpers in `private` so that policies stay one line, evaluate once per
-- query (wrapped in a select) and never recurse into workspace_members' own
-- policies.

grant usage on schema private to authenticated, service_role;

-- Workspaces where the caller is an active member with at least min_role.
create function private.workspaces_with_role(min_role public.member_role)
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.workspace_id
    from public.workspace_members m
   where m.user_id = (select auth.uid())
     and m.status = 'active'
     and m.role >= min_role
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
$$;
comment on function private.workspace_role(uuid) is 'The caller''s active role in the workspace, or null when not a member.';

create function private.has_workspace_role(ws uuid, min_role public.member_role)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.workspace_role(ws) >= min_role, false)
$$;
comment on function private.has_workspace_role(uuid, public.member_role) is 'True when the caller is an active member of the workspace with at least the given role.';

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
$$;
comment on function private.is_platform_admin() is 'True for platform admins and super admins (profiles.platform_role, which only the service sets).';

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

revoke all on all functions in schema private from public;
grant execute on function private.workspaces_with_role(public.member_role), private.workspace_role(uuid),
  private.has_workspace_role(uuid, public.member_role), private.co_member_ids(),
  private.is_platform_admin(), private.confirmed_email()
  to authenticated, service_role;

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
  primary_market, cross_border_enabled, tax_id, business_documents)
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

-- profiles: yourself, people you share a workspace with, platform admins.
-- Rows are created by the auth.users trigger and removed with the auth user.
create policy profiles_select on public.profiles for select to authenticated
  using (id = (select auth.uid())
         or id in (select private.co_member_ids())
         or (select private.is_platform_admin()));
create policy profiles_update on public.profiles for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- workspaces: created through create_workspace(); admins edit; owners delete.
create policy workspaces_select on public.workspaces for select to authenticated
  using (id in (select private.workspaces_with_role('viewer'))
         or (select private.is_platform_admin()));
create policy workspaces_update on public.workspaces for update to authenticated
  using (id in (select private.workspaces_with_role('admin')))
  with check (id in (select private.workspaces_with_role('admin')));
create policy workspaces_delete on public.workspaces for delete to authenticated
  using (id in (select private.workspaces_with_role('owner')));

-- workspace_members: members see each other; admins change roles and remove
-- people; anyone may leave. Joining goes through accept_invitation(). The
-- owner rules are enforced by a trigger, whatever the path.
create policy workspace_members_select on public.workspace_members for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));
create policy workspace_members_update on public.workspace_members for update to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin')))
  with check (workspace_id in (select private.workspaces_with_role('admin')));
create policy workspace_members_delete on public.workspace_members for delete to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin'))
         or user_id = (select auth.uid()));

-- workspace_invitations: admins of the workspace, and the invitee (by
-- confirmed email). Written only through the invitation RPCs.
create policy workspace_invitations_select on public.workspace_invitations for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin'))
         or email = (select private.confirmed_email()));

-- api_keys: admins list them; created and revoked through RPCs.
create policy api_keys_select on public.api_keys for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin')));

-- activity_log: admins read their workspace's trail; a user reads their own
-- entries that belong to no workspace. Nobody edits history.
create policy activity_log_select on public.activity_log for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin'))
         or (workspace_id is null and actor_id = (select auth.uid())));

-- notifications: strictly the recipient's.
create policy notifications_select on public.notifications for select to authenticated
  using (user_id = (select auth.uid()));
create policy notifications_update on public.notifications for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy notifications_delete on public.notifications for delete to authenticated
  using (user_id = (select auth.uid()));

create policy verification_logs_select on public.verification_logs for select to authenticated
  using (user_id = (select auth.uid()));
