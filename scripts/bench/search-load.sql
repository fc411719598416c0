-- Loads a search benchmark volume into a scratch database, set-based, as a
-- superuser with triggers off (session_replication_role = replica):
-- :workspaces workspaces, one holding 40% of everything, :messages messages
-- in :messages/10 conversations, :messages/5 contacts, one member per
-- workspace (bench-search-<n>@example.com). Messages are short chat lines in
-- Portuguese, Spanish and English with names, cities, products and order
-- numbers, written in time order as ingestion writes them.
--
--   psql "$SUPERUSER_URL" -v messages=1000000 -v workspaces=100 -f scripts/bench/search-load.sql
\set ON_ERROR_STOP on
set session_replication_role = replica;
set maintenance_work_mem = '256MB';
set work_mem = '64MB';

create temp table bench_phrases (lang text, phrases text[]);
insert into bench_phrases values
('pt', array[
  'Olá, bom dia! Gostaria de saber o status do meu pedido',
  'Obrigado pelo atendimento, vocês são ótimos',
  'Quando chega a entrega? Já faz uma semana',
  'Vocês entregam em São Paulo no mesmo dia?',
  'Meu coração ficou feliz com o presente, obrigada',
  'Qual é o prazo de entrega para o interior?',
  'Preciso trocar o tamanho, ficou pequeno',
  'O pagamento por pix já foi feito, segue o comprovante',
  'Vocês têm essa peça em outra cor?',
  'Boa tarde, o produto chegou com defeito',
  'Pode me mandar a nota fiscal por favor?',
  'Estou aguardando o código de rastreio',
  'A promoção ainda está valendo?',
  'Gostei muito, vou indicar para minhas amigas',
  'Não recebi o e-mail de confirmação',
  'Qual o horário de funcionamento da loja?',
  'Vocês aceitam cartão de crédito em três vezes?',
  'O endereço de entrega mudou, posso atualizar?',
  'Tudo certo, muito obrigado pela ajuda',
  'A encomenda veio errada, pedi outra cor',
  'Boa noite, vocês fazem orçamento para empresas?',
  'Até amanhã então, combinado',
  'Ainda tem estoque do tênis branco?',
  'Quero cancelar a compra, como faço?',
  'Pode reservar para mim até sexta-feira?']),
('es', array[
  'Hola, buenos días, quería saber el estado de mi pedido',
  'Muchas gracias por la atención, son muy amables',
  '¿Cuándo llega el envío? Ya pasó una semana',
  '¿Hacen envíos a Bogotá o a Medellín?',
  'Mañana paso por la tienda a recoger el paquete',
  '¿Cuál es el plazo de entrega para provincias?',
  'Necesito cambiar la talla, me quedó pequeña',
  'Ya hice la transferencia, les envío el comprobante',
  '¿Tienen este modelo en otro color?',
  'Buenas tardes, el producto llegó dañado',
  '¿Me pueden enviar la factura por favor?',
  'Sigo esperando el número de seguimiento',
  '¿La promoción sigue vigente?',
  'Me encantó, se lo recomendaré a mis amigas',
  'No me llegó el correo de confirmación',
  '¿A qué hora abren la tienda los sábados?',
  '¿Aceptan pago con tarjeta en cuotas?',
  'Cambié de dirección, ¿puedo actualizarla?',
  'Perfecto, muchas gracias por la ayuda',
  'El pedido vino equivocado, pedí otra talla',
  'Buenas noches, ¿hacen presupuestos para empresas?',
  'Hasta mañana entonces, quedamos así',
  '¿Todavía tienen stock de las zapatillas negras?',
  'Quiero cancelar la compra, ¿cómo hago?',
  '¿Me lo pueden reservar hasta el viernes?']),
('en', array[
  'Hi, good morning! I would like to know the status of my order',
  'Thanks for the help, you are great',
  'When will the delivery arrive? It has been a week',
  'Do you ship to New York the same day?',
  'I loved the gift, thank you so much',
  'What is the delivery time to the countryside?',
  'I need to exchange the size, it is too small',
  'I already paid by bank transfer, here is the receipt',
  'Do you have this item in another color?',
  'Good afternoon, the product arrived damaged',
  'Can you send me the invoice please?',
  'Still waiting for the tracking number',
  'Is the promotion still valid?',
  'Loved it, I will recommend you to my friends',
  'I did not get the confirmation email',
  'What are the store opening hours on Saturday?',
  'Do you accept credit card in installments?',
  'My delivery address changed, can I update it?',
  'All good, thanks a lot for your help',
  'The package came wrong, I ordered another color',
  'Good evening, do you quote for companies?',
  'See you tomorrow then, deal',
  'Do you still have the white sneakers in stock?',
  'I want to cancel the purchase, how do I do it?',
  'Can you hold it for me until Friday?']);

create temp table bench_lists as
select
  array['João', 'José', 'María', 'Ana', 'Sofía', 'Lucía', 'Camila', 'Mateus', 'Thiago', 'Sebastián', 'Andrés',
        'Valentina', 'Beatriz', 'Luíza', 'Ramón', 'Inês', 'Conceição', 'Íris', 'Débora', 'Mônica', 'Fátima',
        'Júlia', 'Vitória', 'Gabriel', 'Martín', 'Agustín', 'Jesús', 'Ángela', 'Noémie', 'Emily', 'Michael',
        'Sarah', 'David', 'Jennifer', 'Chris', 'Olivia', 'Zoë', 'Renée', 'Raphaël', 'Estêvão'] as first_names,
  array['Silva', 'Souza', 'Santos', 'Oliveira', 'Pereira', 'Gonçalves', 'Conceição', 'García', 'Rodríguez',
        'Martínez', 'López', 'Pérez', 'Gómez', 'Núñez', 'Muñoz', 'Ibáñez', 'Smith', 'Johnson', 'Brown',
        'Williams', 'Miller', 'Davis', 'Araújo', 'Magalhães', 'Brandão', 'Peña', 'Ordóñez', 'Castañeda',
        'Fernández', 'Álvarez', 'Ribeiro', 'Carvalho', 'Assunção', 'Nóbrega', 'Thompson', 'O''Brien'] as last_names,
  array['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Brasília', 'Curitiba', 'Florianópolis', 'Goiânia',
        'Maceió', 'Belém', 'São Luís', 'Bogotá', 'Medellín', 'Cali', 'Ciudad de México', 'Mérida', 'Querétaro',
        'León', 'Córdoba', 'Málaga', 'Cádiz', 'Lima', 'Asunción', 'New York', 'Boston', 'Austin', 'Chicago',
        'Miami'] as cities,
  array['camiseta', 'tênis', 'zapatillas', 'vestido', 'bolsa', 'jaqueta', 'sneakers', 'hoodie', 'café especial',
        'açaí', 'pão de queijo', 'chaqueta', 'pantalón', 'sudadera', 'mochila', 'óculos', 'relógio', 'reloj',
        'cuaderno', 'caderno', 'notebook', 'headphones', 'fone de ouvido', 'auriculares', 'jarrón', 'edredón',
        'travesseiro', 'almohada', 'pillow', 'crème brûlée'] as products,
  array['azul', 'preto', 'branco', 'vermelho', 'negro', 'blanco', 'rojo', 'marrón', 'black', 'white', 'red',
        'navy', 'verde', 'green', 'rosa', 'pink', 'bege', 'beige'] as colors;

create temp table bench_ws as
select n, gen_random_uuid() as ws, gen_random_uuid() as channel, gen_random_uuid() as member
  from generate_series(0, :workspaces - 1) n;

insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data,
                        email_confirmed_at, created_at, updated_at)
select member, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
       'bench-search-' || n || '@example.com', '{}', '{"provider":"email","providers":["email"]}', now(), now(), now()
  from bench_ws;
insert into public.profiles (id, email, status) select member, 'bench-search-' || n || '@example.com', 'active' from bench_ws;
insert into public.workspaces (id, name, slug, created_by, plan)
select ws, 'Bench ' || n, 'bench-search-' || n || '-' || substr(ws::text, 1, 8), member, 'premium' from bench_ws;
insert into public.workspace_members (workspace_id, user_id, role) select ws, member, 'member' from bench_ws;
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
select channel, ws, 'cloud_api', 'Bench ' || n, 'PN-BENCH-' || n || '-' || substr(ws::text, 1, 8) from bench_ws;

-- Entity i belongs to workspace 0 for 40% of i, else to one of the others
-- evenly; conversation k and contact k share a workspace.
create temp table bench_slot as
select s, case when s < 66 then 0 else 1 + (s - 66) % (:workspaces - 1) end as n
  from generate_series(0, 164) s;

create temp table bench_contact as
select i, gen_random_uuid() as id, w.ws, w.channel
  from generate_series(0, :messages / 5 - 1) i
  join bench_slot sl on sl.s = i % 165
  join bench_ws w on w.n = sl.n;

insert into public.contacts (id, workspace_id, name, phone, email, source, created_at)
select c.id, c.ws,
       l.first_names[1 + (i * 7) % array_length(l.first_names, 1)] || ' '
         || l.last_names[1 + (i * 13 / 7) % array_length(l.last_names, 1)]
         || case when i % 3 = 0 then ' ' || l.last_names[1 + (i / 11) % array_length(l.last_names, 1)] else '' end,
       (array['55119', '57310', '52155', '1212'])[1 + i % 4] || lpad((i * 7919 % 100000000)::text, 8, '0'),
       case when i % 2 = 0
            then 'cliente' || i || '@' || (array['gmail.com', 'hotmail.com', 'yahoo.es', 'outlook.com'])[1 + i % 4] end,
       'import', now() - interval '400 days'
  from bench_contact c cross join bench_lists l
 order by i;

create temp table bench_conv as
select c.i, gen_random_uuid() as id, c.ws, c.channel, c.id as contact
  from bench_contact c where c.i < :messages / 10;

insert into public.conversations (id, workspace_id, channel_id, display_id, chat_id, contact_id, created_at)
select v.id, v.ws, v.channel, v.i + 1, 'bench-' || v.i, v.contact, now() - interval '400 days'
  from bench_conv v order by v.i;

-- Messages in time order over the last year; a uuid7-shaped id from that time.
insert into public.messages (id, workspace_id, channel_id, conversation_id, contact_id, direction, type, status,
                             content, created_at, updated_at)
select encode(overlay(uuid_send(gen_random_uuid())
                      placing substring(int8send((extract(epoch from t) * 1000)::bigint) from 3) from 1 for 6), 'hex')::uuid,
       v.ws, v.channel, v.id, v.contact,
       case when random() < 0.55 then 'inbound' else 'outbound' end::public.message_direction,
       'text', 'delivered',
       ph.phrases[1 + floor(array_length(ph.phrases, 1) * power(random(), 1.6))::int]
         || case when r1 < 0.25 then ' ' || l.products[1 + floor(array_length(l.products, 1) * random())::int]
                                     || ' ' || l.colors[1 + floor(array_length(l.colors, 1) * random())::int] else '' end
         || case when r2 < 0.12 then ', ' || l.cities[1 + floor(array_length(l.cities, 1) * power(random(), 1.5))::int] else '' end
         || case when r3 < 0.10 then ' ' || (array['pedido nº ', 'pedido #', 'order #'])[1 + floor(3 * random())::int]
                                     || (100000 + floor(900000 * random()))::int else '' end
         || case when r4 < 0.08 then ' ' || l.first_names[1 + floor(array_length(l.first_names, 1) * random())::int] else '' end,
       t, t
  from (select g, now() - interval '365 days' + (interval '365 days' * g / :messages) as t,
               floor(random() * (:messages / 10))::bigint as k,
               (array['pt', 'es', 'en'])[1 + floor(3 * random())::int] as lang,
               random() as r1, random() as r2, random() as r3, random() as r4
          from generate_series(0, :messages - 1) g) x
  join bench_conv v on v.i = x.k
  join bench_phrases ph on ph.lang = x.lang
  cross join bench_lists l
 order by x.g;

-- A few deleted-for-everyone messages, as revoking leaves them.
update public.messages set deleted_at = created_at + interval '1 minute'
 where id in (select id from public.messages tablesample system (0.5));

reset session_replication_role;
analyze public.contacts;
analyze public.conversations;
analyze public.messages;
select count(*) as messages from public.messages;
