-- auth.* helpers read claims the way hosted does: JSON first-class, legacy
-- per-claim settings as fallback.
begin;
select plan(12);

select has_table('auth', 'users', 'auth.users exists');
select has_column('auth', 'users', 'raw_app_meta_data', 'auth.users has raw_app_meta_data');
select has_column('auth', 'users', 'email_confirmed_at', 'auth.users has email_confirmed_at');
select has_column('auth', 'users', 'is_anonymous', 'auth.users has is_anonymous');

select set_config('request.jwt.claims',
  '{"sub":"11111111-1111-1111-1111-111111111111","role":"authenticated","email":"a@x.io","app_metadata":{"plan":"pro"}}', true);
select is(auth.uid(), '11111111-1111-1111-1111-111111111111'::uuid, 'auth.uid() reads sub from request.jwt.claims');
select is(auth.role(), 'authenticated', 'auth.role() reads role');
select is(auth.email(), 'a@x.io', 'auth.email() reads email');
select is(auth.jwt() -> 'app_metadata' ->> 'plan', 'pro', 'auth.jwt() returns the whole claims object');

select set_config('request.jwt.claims', '', true);
select set_config('request.jwt.claim.sub', '22222222-2222-2222-2222-222222222222', true);
select is(auth.uid(), '22222222-2222-2222-2222-222222222222'::uuid, 'auth.uid() falls back to the legacy setting');
select set_config('request.jwt.claim.sub', '', true);
select is(auth.uid(), null, 'auth.uid() is null without claims');

select ok(not has_table_privilege('anon', 'auth.users', 'select'), 'anon cannot read auth.users');
select ok(not has_table_privilege('authenticated', 'auth.users', 'select'), 'authenticated cannot read auth.users');

select * from finish();
rollback;
