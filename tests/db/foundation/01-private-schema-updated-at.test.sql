-- The private schema is unreachable for API roles, and updated_at is kept
-- by the database whatever a client sends.
begin;
select plan(5);

select has_schema('private');
select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon cannot use private');
select ok(not has_function_privilege('authenticated', 'private.set_updated_at()', 'execute'),
  'authenticated cannot call private.set_updated_at');

create table public.__stamped (id int primary key, v text, updated_at timestamptz not null default now());
create trigger stamp before update on public.__stamped for each row execute function private.set_updated_at();
insert into public.__stamped values (1, 'a', '2000-01-01');
update public.__stamped set v = 'b', updated_at = '1999-01-01';
select is((select updated_at from public.__stamped), now(), 'updated_at is set to the transaction time');
select is((select v from public.__stamped), 'b', 'the update itself applies');

select * from finish();
rollback;
