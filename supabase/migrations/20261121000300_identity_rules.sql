-- Rules that hold whatever path a change takes (PostgREST, RPC, service):
-- plan limits follow the plan; only an owner makes or unmakes an owner; a
-- workspace always keeps an owner; every new auth user gets a profile, a
-- personal workspace and its ownership.

-- Plan limits --------------------------------------------------------------

create function private.plan_limits(p public.workspace_plan)
returns table (max_channels integer, max_members integer)
language sql immutable set search_path = ''
as $$
  select l.max_channels, l.max_members from (values
    ('free'::public.workspace_plan, 1, 3),
    ('basic', 3, 10),
    ('premium', 10, 50),
    ('enterprise', 100, 1000)) as l(plan, max_channels, max_members)
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
  end if;
  return new;
end
$$;
create trigger apply_plan_limits before insert or update of plan on public.workspaces
  for each row execute function private.apply_plan_limits();

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
create trigger guard_membership before update or delete on public.workspace_members
  for each row execute function private.guard_membership();

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
create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

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
create trigger on_auth_user_updated after update of email, phone, email_confirmed_at, phone_confirmed_at,
  last_sign_in_at, raw_app_meta_data on auth.users
  for each row execute function private.sync_auth_user();

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
create trigger before_profile_delete before delete on public.profiles
  for each row execute function private.before_profile_delete();

revoke all on function private.plan_limits(public.workspace_plan), private.apply_plan_limits(),
  private.guard_membership(), private.unique_slug(text), private.platform_role_of(jsonb),
  private.handle_new_user(), private.sync_auth_user(), private.before_profile_delete()
  from public;
