-- RPCs for what a policy cannot express: creating a workspace with its
-- owner, invitations with hashed tokens, role changes, API keys shown once.
-- Each public function is a thin security invoker wrapper over a security
-- definer implementation in `private` that checks the caller itself.
-- Errors: 28000 not signed in, 42501 not allowed, 22023 bad input,
-- P0002 not found, 23505 duplicate, 55000 wrong state, 54000 plan limit.

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

create function private.check_member_limit(ws uuid, extra integer)
returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  lim integer;
  used integer;
begin
  select w.max_members into lim from public.workspaces w where w.id = ws;
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
  select * into inv from public.workspace_invitations i where i.id = p_invitation for update;
  if not found or not private.has_workspace_role(inv.workspace_id, 'admin') then
    raise exception 'invitation not found' using errcode = 'P0002';
  end if;
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

-- Scopes a key may carry. Later modules replace this function to add theirs.
create function private.api_key_scopes()
returns text[]
language sql immutable set search_path = ''
as $$
  select array['*', 'messages:read', 'messages:send', 'contacts:read', 'contacts:write',
               'conversations:read', 'conversations:write', 'templates:read', 'templates:write',
               'campaigns:read', 'campaigns:write', 'hooks:manage', 'agents:read', 'agents:write']
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
  select * into rec from public.api_keys k where k.id = p_key for update;
  if not found or not private.has_workspace_role(rec.workspace_id, 'admin') then
    raise exception 'API key not found' using errcode = 'P0002';
  end if;
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

-- For Edge Functions (service role only): who does this key act for?
create function private.authenticate_api_key(p_key text)
returns table (api_key_id uuid, workspace_id uuid, permissions text[])
language plpgsql security definer set search_path = ''
as $$
declare
  rec public.api_keys;
  ws public.workspaces;
begin
  select * into rec from public.api_keys k where k.key_hash = private.token_hash(p_key);
  if not found then
    raise exception 'invalid API key' using errcode = '28000';
  elsif rec.revoked_at is not null then
    raise exception 'API key revoked' using errcode = '28000';
  elsif rec.expires_at is not null and rec.expires_at <= now() then
    raise exception 'API key expired' using errcode = '28000';
  end if;
  select * into ws from public.workspaces w where w.id = rec.workspace_id;
  if ws.subscription_status in ('suspended', 'cancelled') then
    raise exception 'workspace is %', ws.subscription_status using errcode = '42501';
  end if;
  -- At most one write a minute per key: a busy integration must not turn
  -- every request into a hot-row update.
  update public.api_keys k set last_used_at = now()
   where k.id = rec.id and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute');
  return query select rec.id, rec.workspace_id, rec.permissions;
end
$$;
comment on function private.authenticate_api_key(text) is
  'Service only: resolves a plaintext API key to its workspace and permissions; refuses unknown, revoked and expired keys.';

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

-- Execute rights: public RPCs for signed-in users only; the private
-- implementations for those wrappers; key authentication for the service.
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
  private.is_platform_admin(), private.confirmed_email()
  to authenticated, service_role;
grant execute on function private.authenticate_api_key(text) to service_role;
