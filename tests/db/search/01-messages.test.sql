-- search_messages: accent- and case-blind in Portuguese, Spanish and
-- English, whole words or "word*" prefixes, better matches first, newest
-- first among equals, old messages too, deleted ones never, one thread.
begin;
select plan(18);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.open_cloud_conversation(:'ws', 'c5100000-0000-0000-0000-000000000001', 'PN-S11', '5511900000011') as conv \gset
select tests.open_cloud_conversation(:'ws', 'c5100000-0000-0000-0000-000000000001', 'PN-S11', '5511900000012') as conv2 \gset

create temp table said (label text primary key, id uuid);
grant select on said to authenticated;
with m as (
  insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, status, content, created_at)
  select :'ws', 'c5100000-0000-0000-0000-000000000001', coalesce(x.conv, :'conv')::uuid, 'inbound', 'text', 'delivered',
         x.content, now() - x.age
    from (values
      ('sp', 'Vocês entregam em São Paulo no mesmo dia?', interval '1 hour', null),
      ('sp-far', 'Paulo disse que o pedido sai de São Bento amanhã e chega logo', interval '2 hours', null),
      ('coracao', 'Meu CORAÇÃO ficou feliz com o presente', interval '3 hours', null),
      ('manana', 'Hasta mañana entonces, quedamos así', interval '4 hours', null),
      ('cafe', 'I loved the café latte', interval '5 hours', null),
      ('cafeteria', 'La cafetería abre a las nueve', interval '6 hours', null),
      ('obrigado', 'Muito obrigado pela ajuda', interval '7 hours', null),
      ('obrigada', 'Obrigada, chegou certinho', interval '8 hours', null),
      ('old', 'Pedido antigo: entrega em Brasília', interval '800 days', null),
      ('deleted', 'Mensagem apagada sobre Brasília', interval '9 hours', null),
      ('other-thread', 'Outro cliente, também em São Paulo', interval '10 hours', :'conv2')
    ) as x(label, content, age, conv)
  returning id, content
)
insert into said select x.label, m.id
  from m join (values
      ('sp', 'Vocês entregam em São Paulo no mesmo dia?'), ('sp-far', 'Paulo disse que o pedido sai de São Bento amanhã e chega logo'),
      ('coracao', 'Meu CORAÇÃO ficou feliz com o presente'), ('manana', 'Hasta mañana entonces, quedamos así'),
      ('cafe', 'I loved the café latte'), ('cafeteria', 'La cafetería abre a las nueve'),
      ('obrigado', 'Muito obrigado pela ajuda'), ('obrigada', 'Obrigada, chegou certinho'),
      ('old', 'Pedido antigo: entrega em Brasília'), ('deleted', 'Mensagem apagada sobre Brasília'),
      ('other-thread', 'Outro cliente, também em São Paulo')) as x(label, content) on x.content = m.content;
-- Deleted for everyone, as a revoke leaves it.
update public.messages set deleted_at = now() where id = (select id from said where label = 'deleted');

select tests.authenticate_as('acme_member');

select is(array(select s.label from public.search_messages('sao paulo') with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['other-thread', 'sp', 'sp-far'],
  'Portuguese without accents: "sao paulo" finds São Paulo; adjacent words and shorter messages rank first');
select ok((select bool_and(r.rank > 0) from public.search_messages('sao paulo') r), 'every hit has a rank');
select is((select r.snippet from public.search_messages('sao paulo') r join said s on s.id = r.id where s.label = 'sp'),
  'Vocês entregam em «São» «Paulo» no mesmo dia?', 'the snippet marks the original words');
select is(array(select s.label from public.search_messages('coracao') with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['coracao'], 'lower case without cedilla or tilde finds CORAÇÃO');
select is(array(select s.label from public.search_messages('MANANA') with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['manana'], 'Spanish: upper case without the tilde finds mañana');
select is(array(select s.label from public.search_messages('cafe') with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['cafe'], 'English: cafe finds café, and not cafetería (whole words)');
select is(array(select s.label from public.search_messages('cafe*') with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['cafe', 'cafeteria'], 'cafe* is a prefix: café and cafetería, the whole word first');
select is(array(select s.label from public.search_messages('OBRIGAD*') r join said s on s.id = r.id order by s.label),
  array['obrigada', 'obrigado'], 'obrigad* finds obrigado and obrigada');
select is(array(select s.label from public.search_messages('  Brasília ') with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['old'], 'a message from two years ago is found; the deleted one is not');
select is((select count(*)::int from public.search_messages('apagada')), 0, 'deleted messages are not searchable at all');
select is(array(select s.label from public.search_messages('são paulo', 1) with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['other-thread'], 'max_results limits the answer to the best');
select is(array(select s.label from public.search_messages('sao paulo', conversation_id => :'conv2') with ordinality r join said s on s.id = r.id order by r.ordinality),
  array['other-thread'], 'conversation_id searches one thread');
select is(array(select r.conversation_id from public.search_messages('outro cliente') r),
  array[:'conv2'::uuid], 'hits carry their conversation');
select is(array(select r.workspace_id from public.search_messages('outro cliente') r),
  array[:'ws'::uuid], 'and their workspace');

-- Among equal matches, the newer first; more than 200 matches still
-- answer with the newest.
select tests.clear_authentication();
insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, status, content, created_at)
select :'ws', 'c5100000-0000-0000-0000-000000000001', :'conv', 'inbound', 'text', 'delivered',
       'rastreio número ' || g, now() - g * interval '1 day'
  from generate_series(1, 400) g;
select tests.authenticate_as('acme_member');
select is(array(select r.content from public.search_messages('rastreio', 3) with ordinality r order by r.ordinality),
  array['rastreio número 1', 'rastreio número 2', 'rastreio número 3'], 'equal ranks: newest first');
select is((select count(*)::int from public.search_messages('rastreio', 200)), 200, 'up to 200 results');
select is(array(select r.content from public.search_messages('rastreio 399') r),
  array['rastreio número 399'], 'two words: both required, an old one is still found');

-- Through the search index, not a scan of the workspace's messages.
select tests.clear_authentication();
select pg_stat_get_xact_numscans('public.messages_search_idx'::regclass) as scans \gset
-- A table this small is read whole; without that choice, the search's
-- conditions must fit the index (its expressions and partial predicate).
set local enable_seqscan = off;
select tests.authenticate_as('acme_member');
select count(*) from public.search_messages('rastreio 5');
select tests.clear_authentication();
select cmp_ok(pg_stat_get_xact_numscans('public.messages_search_idx'::regclass),
  '>', :'scans'::bigint, 'the search reads messages_search_idx');

select * from finish();
rollback;
