-- Demo data for a newcomer after `npm start`. Idempotent: the CLI applies it
-- again whenever this file changes. Every demo user's password: threadline-demo
-- (usable wherever Supabase Auth runs on this database, e.g. a hosted
-- project seeded with `supabase db push --include-seed`).

-- People. The auth.users trigger gives each a profile and a personal workspace.
insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                        confirmation_token, recovery_token, email_change_token_new, email_change)
select u.id, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', u.email,
       extensions.crypt('threadline-demo', extensions.gen_salt('bf')), now(),
       jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')) || u.app_meta,
       jsonb_build_object('full_name', u.full_name), now(), now(), '', '', '', ''
  from (values
    ('00000000-0000-4000-a000-000000000001'::uuid, 'olivia@demo.threadline.dev', 'Olivia Owner', '{}'::jsonb),
    ('00000000-0000-4000-a000-000000000002'::uuid, 'adam@demo.threadline.dev', 'Adam Admin', '{}'::jsonb),
    ('00000000-0000-4000-a000-000000000003'::uuid, 'maya@demo.threadline.dev', 'Maya Member', '{}'::jsonb),
    ('00000000-0000-4000-a000-000000000004'::uuid, 'victor@demo.threadline.dev', 'Victor Viewer', '{}'::jsonb),
    ('00000000-0000-4000-a000-000000000009'::uuid, 'sam@demo.threadline.dev', 'Sam Support', '{"platform_role": "super_admin"}'::jsonb)
  ) as u(id, email, full_name, app_meta)
on conflict (id) do nothing;

-- Carol shops on the marketplace: a customer account (no workspace of her
-- own beyond the personal one sign-up gives everyone), with a phone.
insert into auth.users (id, instance_id, aud, role, email, phone, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                        confirmation_token, recovery_token, email_change_token_new, email_change)
values ('00000000-0000-4000-a000-000000000010', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
        'carol@demo.threadline.dev', '5521998877665', extensions.crypt('threadline-demo', extensions.gen_salt('bf')), now(),
        '{"provider": "email", "providers": ["email"]}', '{"full_name": "Carol Customer", "account_type": "customer"}',
        now(), now(), '', '', '', '')
on conflict (id) do nothing;

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id, jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true),
       'email', now(), now(), now()
  from auth.users u
 where u.email like '%@demo.threadline.dev'
on conflict (provider_id, provider) do nothing;

-- A shared business workspace with one member of each role.
insert into public.workspaces (id, name, slug, business_type, description, plan, created_by, settings, currency, timezone)
values ('00000000-0000-4000-b000-000000000001', 'Threadline Demo Tailors', 'demo', 'tailor',
        'A demo tailoring business that talks to its customers on WhatsApp.', 'premium',
        '00000000-0000-4000-a000-000000000001', '{"timezone": "America/Sao_Paulo", "language": "pt-BR"}', 'BRL',
        'America/Sao_Paulo')
on conflict (id) do nothing;

insert into public.workspace_members (workspace_id, user_id, role, invited_by)
values
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000001', 'owner', null),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000002', 'admin', '00000000-0000-4000-a000-000000000001'),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000003', 'member', '00000000-0000-4000-a000-000000000002'),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000004', 'viewer', '00000000-0000-4000-a000-000000000002')
on conflict (workspace_id, user_id) do nothing;

insert into public.notifications (id, user_id, workspace_id, type, title, body, action_url)
values ('00000000-0000-4000-c000-000000000001', '00000000-0000-4000-a000-000000000003',
        '00000000-0000-4000-b000-000000000001', 'welcome', 'Welcome to Threadline Demo Tailors',
        'Adam added you as a member. Connect a WhatsApp number to start talking to customers.', '/settings/channels')
on conflict (id) do nothing;

-- A Cloud API channel for the README's webhook walkthrough. Its demo
-- credentials go to Vault, as set_channel_credentials() would put them.
insert into public.channels (id, workspace_id, type, provider, name, status, phone_number, display_name,
                             phone_number_id, business_account_id, connected_by, settings)
values ('00000000-0000-4000-d000-000000000001', '00000000-0000-4000-b000-000000000001', 'whatsapp', 'cloud_api',
        'Demo WhatsApp', 'connected', '15550001234', 'Threadline Demo Tailors', '100000000000001', '200000000000001',
        '00000000-0000-4000-a000-000000000001', '{"rate_limit_per_second": 80}')
on conflict (id) do nothing;

select vault.create_secret(v.secret, 'channel:00000000-0000-4000-d000-000000000001:' || v.kind, 'demo ' || v.kind)
  from (values ('access_token', 'demo-access-token'), ('app_secret', 'demo-app-secret'),
               ('verify_token', 'demo-verify-token')) as v(kind, secret)
 where not exists (select 1 from vault.secrets s
                    where s.name = 'channel:00000000-0000-4000-d000-000000000001:' || v.kind);
update public.channels set credentials_set = '{access_token,app_secret,verify_token}'
 where id = '00000000-0000-4000-d000-000000000001';
-- Graph answers for the demo number with its token (the fake provider is
-- told so by npm start), which is what verify_phone_number would record.
update public.channels set phone_number_verified_at = coalesce(phone_number_verified_at, now())
 where id = '00000000-0000-4000-d000-000000000001';

-- A customer with a conversation and a message we sent her, so the README
-- can show statuses arriving for it (wamid.DEMO-OUT-1).
insert into public.contacts (id, workspace_id, name, phone, email, status, opted_in, source, tags, added_by)
values ('00000000-0000-4000-e000-000000000001', '00000000-0000-4000-b000-000000000001', 'Ana Souza', '5511987654321',
        'ana@example.com', 'active', true, 'manual', '{vip}', '00000000-0000-4000-a000-000000000003')
on conflict (id) do nothing;
insert into public.contact_identities (id, workspace_id, contact_id, channel_id, external_id, phone, push_name)
values ('00000000-0000-4000-e000-000000000002', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000001',
        '00000000-0000-4000-d000-000000000001', '5511987654321', '5511987654321', 'Ana Souza')
on conflict (id) do nothing;
insert into public.conversations (id, workspace_id, channel_id, type, chat_id, contact_id, assignee_id)
values ('00000000-0000-4000-e000-000000000003', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
        'individual', '5511987654321', '00000000-0000-4000-e000-000000000001', '00000000-0000-4000-a000-000000000003')
on conflict (id) do nothing;
insert into public.messages (id, workspace_id, channel_id, conversation_id, contact_id, direction, type, content,
                             provider_message_id, status, sent_at, created_by)
values ('00000000-0000-4000-e000-000000000004', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
        '00000000-0000-4000-e000-000000000003', '00000000-0000-4000-e000-000000000001', 'outbound', 'text',
        'Hi Ana! Your dress is ready for its fitting.', 'wamid.DEMO-OUT-1', 'sent', now(),
        '00000000-0000-4000-a000-000000000003')
on conflict (id) do nothing;

-- Templates of the demo number, as a sync from Meta would leave them: two
-- approved (one sends outside the 24-hour window, as the README shows), one
-- still in review.
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components,
                                      parameter_format, provider_template_id, last_synced_at)
values
  ('00000000-0000-4000-f000-000000000001', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
   'order_ready', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Hi {{1}}, your order {{2}} is ready for pickup."},{"type":"FOOTER","text":"Atelier Demo"}]',
   'POSITIONAL', '900000000000001', now()),
  ('00000000-0000-4000-f000-000000000002', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
   'fitting_reminder', 'pt_BR', 'UTILITY', 'APPROVED',
   '[{"type":"HEADER","format":"TEXT","text":"Prova marcada"},{"type":"BODY","text":"Olá {{first_name}}, sua prova é {{when}}."},{"type":"BUTTONS","buttons":[{"type":"URL","text":"Remarcar","url":"https://demo.threadline.dev/r/{{1}}"}]}]',
   'NAMED', '900000000000002', now()),
  ('00000000-0000-4000-f000-000000000003', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
   'spring_sale', 'en_US', 'MARKETING', 'PENDING', '[{"type":"BODY","text":"Spring sale: 20% off until Sunday."}]',
   'POSITIONAL', '900000000000003', now())
on conflict (id) do nothing;

-- A draft campaign to the VIP label (the README starts it): each recipient
-- gets order_ready with their own first name.
insert into public.contacts (id, workspace_id, name, phone, status, opted_in, source, labels, added_by)
values
  ('00000000-0000-4000-e000-000000000011', '00000000-0000-4000-b000-000000000001', 'Carla Mendes', '5511976543210', 'active', true, 'import', '{vip}', '00000000-0000-4000-a000-000000000003'),
  ('00000000-0000-4000-e000-000000000012', '00000000-0000-4000-b000-000000000001', 'Diego Rocha', '5521998765432', 'active', true, 'import', '{vip}', '00000000-0000-4000-a000-000000000003'),
  ('00000000-0000-4000-e000-000000000013', '00000000-0000-4000-b000-000000000001', 'Elena Costa', '5531987651234', 'prospect', false, 'import', '{vip}', '00000000-0000-4000-a000-000000000003')
on conflict (id) do nothing;
update public.contacts set labels = '{vip}' where id = '00000000-0000-4000-e000-000000000001' and labels = '{}';

-- Client records: the atelier's two measurement templates, Ana's and
-- Carla's measurements (Ana measured twice for a shirt: the view
-- latest_client_measurements shows the newer), and their timelines.
insert into public.measurement_templates (id, workspace_id, name, description, fields, created_by)
values
  ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-b000-000000000001', 'Shirt', 'Made-to-measure shirts.',
   '[{"key": "neck", "unit": "cm", "min": 25, "max": 60, "required": true},
     {"key": "chest", "unit": "cm", "min": 60, "max": 180, "required": true},
     {"key": "waist", "unit": "cm", "min": 50, "max": 180},
     {"key": "sleeve", "label": "Sleeve length", "unit": "cm", "min": 40, "max": 100, "required": true},
     {"key": "shoulder", "unit": "cm", "min": 30, "max": 70}]', '00000000-0000-4000-a000-000000000002'),
  ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-b000-000000000001', 'Trousers', 'Tailored trousers.',
   '[{"key": "waist", "unit": "cm", "min": 50, "max": 180, "required": true},
     {"key": "hip", "unit": "cm", "min": 60, "max": 200, "required": true},
     {"key": "inseam", "unit": "cm", "min": 50, "max": 110, "required": true},
     {"key": "thigh", "unit": "cm", "min": 30, "max": 100}]', '00000000-0000-4000-a000-000000000002')
on conflict do nothing;

insert into public.client_measurements (id, workspace_id, contact_id, measurement_template_id, measurements, taken_by,
                                        taken_at, notes)
values
  ('00000000-0000-4000-8000-000000000011', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000001',
   '00000000-0000-4000-8000-000000000001', '{"neck": 35, "chest": 88, "waist": 70, "sleeve": 58}',
   '00000000-0000-4000-a000-000000000003', now() - interval '200 days', 'First fitting.'),
  ('00000000-0000-4000-8000-000000000012', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000001',
   '00000000-0000-4000-8000-000000000001', '{"neck": 35.5, "chest": 90, "waist": 72, "sleeve": {"value": 58.5, "unit": "cm"}, "shoulder": 40}',
   '00000000-0000-4000-a000-000000000003', now() - interval '3 days', 'Prefers a relaxed fit.'),
  ('00000000-0000-4000-8000-000000000013', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000001',
   '00000000-0000-4000-8000-000000000002', '{"waist": 72, "hip": 98, "inseam": 78}',
   '00000000-0000-4000-a000-000000000003', now() - interval '3 days', null),
  ('00000000-0000-4000-8000-000000000014', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000011',
   '00000000-0000-4000-8000-000000000001', '{"neck": 38, "chest": 100, "sleeve": 63}',
   '00000000-0000-4000-a000-000000000002', now() - interval '10 days', null)
on conflict (id) do nothing;

insert into public.client_interactions (id, workspace_id, contact_id, user_id, interaction_type, subject, description,
                                        occurred_at)
values
  ('00000000-0000-4000-8000-000000000021', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000001',
   '00000000-0000-4000-a000-000000000003', 'meeting', 'Fitting', 'Measured for a shirt and trousers; chose sky blue linen.',
   now() - interval '3 days'),
  ('00000000-0000-4000-8000-000000000022', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000001',
   '00000000-0000-4000-a000-000000000003', 'call', 'Confirmed the fabric', 'Linen, sky blue; two shirts.',
   now() - interval '2 days'),
  ('00000000-0000-4000-8000-000000000023', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000001',
   '00000000-0000-4000-a000-000000000002', 'note', 'VIP', 'Always offer a second fitting.', now() - interval '1 day'),
  ('00000000-0000-4000-8000-000000000024', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000011',
   '00000000-0000-4000-a000-000000000002', 'email', 'Sent the price list', null, now() - interval '10 days')
on conflict (id) do nothing;
insert into public.campaigns (id, workspace_id, channel_id, name, description, template_id, template_params, target_type,
                              target_criteria, created_by)
values ('00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
        'VIP pickups', 'Tell VIP customers their orders are ready.', '00000000-0000-4000-f000-000000000001',
        '["{{contact.first_name}}", "#2041"]', 'labels', '{"labels": ["vip"]}', '00000000-0000-4000-a000-000000000001')
on conflict (id) do nothing;

-- A keyword automation: ask the demo number about opening hours and it
-- answers (the README shows it).
insert into public.automations (id, workspace_id, name, description, type, trigger_conditions, actions, priority, created_by)
values ('00000000-0000-4000-c000-000000000002', '00000000-0000-4000-b000-000000000001', 'Opening hours',
        'Answers questions about opening hours.', 'keyword_reply', '{"keywords": ["hours", "open"], "match": "contains"}',
        '{"reply": {"text": "We are open Monday to Saturday, 9:00 to 18:00. Book a fitting any time here."}}', 10,
        '00000000-0000-4000-a000-000000000002')
on conflict (id) do nothing;

-- An agent (seed 003): Maya works as agent on the demo number, so its
-- messages also land in her tables agt_<id>_customers, _messages, _orders,
-- _orders_items. Adam (admin) creates her, as the API would let him; her
-- history below is written as already sent (threadline.agent_sync), so
-- applying the seed sends nothing.
do $$
declare
  agent bigint;
  ana integer;
  ord integer;
begin
  perform set_config('request.jwt.claims',
    '{"sub": "00000000-0000-4000-a000-000000000002", "role": "authenticated"}', true);
  select a.id into agent from public.create_agent('00000000-0000-4000-b000-000000000001',
                                                  '00000000-0000-4000-a000-000000000003', 'Maya (tailoring)') a;
  perform set_config('request.jwt.claims', '', true);
  insert into public.agent_channels (agent_id, channel_id)
  select agent, '00000000-0000-4000-d000-000000000001'
   where not exists (select 1 from public.agent_channels b
                      where b.channel_id = '00000000-0000-4000-d000-000000000001' and b.is_active);

  execute format('select id from public.%I where phone = %L', 'agt_' || agent || '_customers', '+5511987654321') into ana;
  if ana is not null then
    return;  -- seeded before
  end if;
  perform set_config('threadline.agent_sync', 'on', true);
  execute format($q$insert into public.%I (name, phone) values ('Ana Souza', '+5511987654321'), ('Carla Mendes', '+5511976543210')$q$,
                 'agt_' || agent || '_customers');
  execute format('select id from public.%I where phone = %L', 'agt_' || agent || '_customers', '+5511987654321') into ana;
  execute format($q$insert into public.%I (customer_id, message, direction, "timestamp", is_read, media_type, media_url, caption)
    values ($1, 'Hi Maya! Could you make two linen shirts like the blue one?', 'inbound', localtimestamp - interval '2 days', true, 'none', null, null),
           ($1, 'Of course! Here is the fabric we have in stock.', 'outbound', localtimestamp - interval '2 days' + interval '5 minutes', true,
            'image', 'https://demo.threadline.dev/media/linen.jpg', 'Linen, sky blue'),
           ($1, 'Perfect, please go ahead.', 'inbound', localtimestamp - interval '1 day', false, 'none', null, null)$q$,
                 'agt_' || agent || '_messages') using ana;
  execute format($q$insert into public.%I (customer_id, notes, shipping_address) values ($1, 'Two linen shirts, sky blue', 'Rua Augusta 1500, São Paulo') returning id$q$,
                 'agt_' || agent || '_orders') into ord using ana;
  execute format($q$insert into public.%I (order_id, name, quantity, price) values ($1, 'Linen shirt, sky blue', 2, 180.00), ($1, 'Monogram', 2, 25.00)$q$,
                 'agt_' || agent || '_orders_items') using ord;
  execute format($q$update public.%I set status = 'confirmed' where id = $1$q$, 'agt_' || agent || '_orders') using ord;
  perform set_config('threadline.agent_sync', '', true);
end
$$;

-- The tailors' stock and a few orders (the commerce module): fabric,
-- buttons and lining; an order for Carla in progress (its fabric taken out
-- of stock), one for Diego completed and paid. Maya took them.
insert into public.inventory_items (id, workspace_id, name, sku, category, current_stock, min_stock_level, max_stock_level,
                                    cost_price, selling_price, unit, supplier_name, created_by)
values
  ('00000000-0000-4000-9100-000000000001', '00000000-0000-4000-b000-000000000001', 'Linen, navy', 'LIN-NAVY', 'fabric',
   40, 10, 80, 38.00, 89.90, 'm', 'Tecelagem Paulista', '00000000-0000-4000-a000-000000000002'),
  ('00000000-0000-4000-9100-000000000002', '00000000-0000-4000-b000-000000000001', 'Buttons, horn', 'BTN-HORN', 'notions',
   200, 50, 500, 0.40, 1.50, 'pcs', 'Aviamentos Sul', '00000000-0000-4000-a000-000000000002'),
  ('00000000-0000-4000-9100-000000000003', '00000000-0000-4000-b000-000000000001', 'Silk lining, ivory', 'SILK-IVORY', 'fabric',
   12, 5, 30, 21.00, 45.00, 'm', 'Tecelagem Paulista', '00000000-0000-4000-a000-000000000002')
on conflict (id) do nothing;

do $$
begin
  if exists (select 1 from public.orders o where o.id = '00000000-0000-4000-9200-000000000001') then
    return;  -- seeded before
  end if;
  insert into public.orders (id, workspace_id, contact_id, title, due_date, priority, created_by, assigned_to)
  values ('00000000-0000-4000-9200-000000000001', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000011',
          'Linen suit for Carla', now() + interval '10 days', 'high', '00000000-0000-4000-a000-000000000003',
          '00000000-0000-4000-a000-000000000003'),
         ('00000000-0000-4000-9200-000000000002', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-e000-000000000012',
          'Shirt alterations for Diego', now() - interval '3 days', 'medium', '00000000-0000-4000-a000-000000000003', null);
  insert into public.order_items (order_id, inventory_item_id, item_name, quantity, unit_price)
  values ('00000000-0000-4000-9200-000000000001', '00000000-0000-4000-9100-000000000001', null, 4, null),
         ('00000000-0000-4000-9200-000000000001', '00000000-0000-4000-9100-000000000002', null, 8, null),
         ('00000000-0000-4000-9200-000000000001', '00000000-0000-4000-9100-000000000003', null, 2, null),
         ('00000000-0000-4000-9200-000000000001', null, 'Tailoring (suit)', 1, 650.00),
         ('00000000-0000-4000-9200-000000000002', null, 'Take in two shirts', 2, 40.00);
  update public.orders set status = 'in-progress' where id = '00000000-0000-4000-9200-000000000001';
  update public.orders set status = 'in-progress' where id = '00000000-0000-4000-9200-000000000002';
  update public.orders set status = 'completed' where id = '00000000-0000-4000-9200-000000000002';
end
$$;

-- Customers hear on WhatsApp when their order is ready (order_ready).
insert into public.order_status_templates (workspace_id, status, template_id, parameters, created_by)
values ('00000000-0000-4000-b000-000000000001', 'completed', '00000000-0000-4000-f000-000000000001',
        '["{customer_name}", "{order_number}"]', '00000000-0000-4000-a000-000000000002')
on conflict (workspace_id, status) do nothing;

-- The tailors' books (the finance module): two split rules (tax 15%,
-- savings 10%) and a savings goal for the month, Carla's deposit and
-- Diego's payment recorded as payments (income transactions, split), the
-- month's rent as an expense, and an invoice for Carla's suit, issued
-- (the balance after her deposit). Ana's
-- agent order came paid through the mirror: its income is in the ledger
-- too (payment_method agent), from before the rules existed.
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components,
                                      parameter_format, provider_template_id, last_synced_at)
values
  ('00000000-0000-4000-f000-000000000021', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
   'invoice_issued', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"HEADER","format":"DOCUMENT","example":{"header_handle":["4::YXBwbGljYXRpb24vcGRm:ARZ-example"]}},{"type":"BODY","text":"Hi {{1}}, invoice {{2}} for {{3}} {{4}} is due on {{5}}."},{"type":"FOOTER","text":"Atelier Demo"}]',
   'POSITIONAL', '900000000000021', now()),
  ('00000000-0000-4000-f000-000000000022', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-d000-000000000001',
   'invoice_overdue', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Hi {{1}}, invoice {{2}} ({{3}} {{4}} still due) was due on {{5}}."},{"type":"FOOTER","text":"Atelier Demo"}]',
   'POSITIONAL', '900000000000022', now())
on conflict (id) do nothing;


do $$
begin
  if exists (select 1 from public.auto_splits s where s.id = '00000000-0000-4000-9300-000000000001') then
    return;  -- seeded before
  end if;
  insert into public.auto_splits (id, workspace_id, name, split_type, value, category, created_by)
  values ('00000000-0000-4000-9300-000000000001', '00000000-0000-4000-b000-000000000001', 'Tax reserve', 'percentage', 15,
          'tax', '00000000-0000-4000-a000-000000000002'),
         ('00000000-0000-4000-9300-000000000002', '00000000-0000-4000-b000-000000000001', 'Savings', 'percentage', 10,
          'savings', '00000000-0000-4000-a000-000000000002');
  insert into public.financial_goals (id, workspace_id, title, goal_type, target_amount, category, created_by)
  values ('00000000-0000-4000-9300-000000000011', '00000000-0000-4000-b000-000000000001', 'Savings this month', 'monthly',
          500, 'savings', '00000000-0000-4000-a000-000000000002');
  perform public.record_payment(300.00, 'BRL', order_id => '00000000-0000-4000-9200-000000000001', method => 'pix',
                                note => 'Deposit for the linen suit');
  perform public.record_payment(o.total_amount, o.currency, order_id => o.id, method => 'card')
     from public.orders o where o.id = '00000000-0000-4000-9200-000000000002';
  insert into public.transactions (workspace_id, transaction_type, category, amount, description, payment_method, created_by)
  values ('00000000-0000-4000-b000-000000000001', 'expense', 'rent', 1800.00, 'Atelier rent', 'transfer',
          '00000000-0000-4000-a000-000000000002');
  insert into public.invoices (id, workspace_id, order_id, due_date, created_by)
  values ('00000000-0000-4000-9300-000000000021', '00000000-0000-4000-b000-000000000001',
          '00000000-0000-4000-9200-000000000001', now() + interval '10 days', '00000000-0000-4000-a000-000000000003');
  update public.invoices set status = 'sent' where id = '00000000-0000-4000-9300-000000000021';
end
$$;

-- Clients hear on WhatsApp when an invoice is sent or overdue (mapped after
-- the demo's own invoice, which is not sent out at seed time).
insert into public.invoice_templates (workspace_id, notice, template_id, parameters, created_by)
values ('00000000-0000-4000-b000-000000000001', 'sent', '00000000-0000-4000-f000-000000000021',
        '["{bills_to}", "{invoice_number}", "{currency}", "{balance_due}", "{due_date}"]', '00000000-0000-4000-a000-000000000002'),
       ('00000000-0000-4000-b000-000000000001', 'overdue', '00000000-0000-4000-f000-000000000022',
        '["{bills_to}", "{invoice_number}", "{currency}", "{balance_due}", "{due_date}"]', '00000000-0000-4000-a000-000000000002')
on conflict (workspace_id, notice) do nothing;

-- The calendar: the atelier (in São Paulo time, above) reminds clients of
-- fittings with fitting_reminder and keeps a deadline per order's due date
-- (Carla's suit, still open, gets its deadline here). Maya has Ana's
-- fitting in three days at 15:00, reminded the day before and an hour
-- before (in the app, and Ana on WhatsApp).
insert into public.calendar_settings (workspace_id, order_deadlines, reminder_template_id, reminder_parameters, created_by)
values ('00000000-0000-4000-b000-000000000001', true, '00000000-0000-4000-f000-000000000002',
        '{"body": {"first_name": "{first_name}", "when": "{when}"}, "buttons": {"0": "{event_id}"}}',
        '00000000-0000-4000-a000-000000000002')
on conflict (workspace_id) do nothing;
insert into public.events (id, workspace_id, user_id, title, event_type, start_time, end_time, location, color, contact_id,
                           reminder_minutes, created_by)
values ('00000000-0000-4000-9400-000000000001', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000003',
        'Fitting: Ana''s dress', 'appointment',
        ((now() at time zone 'America/Sao_Paulo')::date + 3 + time '15:00') at time zone 'America/Sao_Paulo',
        ((now() at time zone 'America/Sao_Paulo')::date + 3 + time '15:45') at time zone 'America/Sao_Paulo',
        'Atelier, Rua Augusta 100', '#7c3aed', '00000000-0000-4000-e000-000000000001', '{60, 1440}',
        '00000000-0000-4000-a000-000000000003')
on conflict (id) do nothing;

-- The marketplace: three published products of the tailors, public to
-- anyone. A made-to-measure shirt with options (made to order, no stock
-- count), pocket squares with their own stock, and navy linen by the metre
-- whose stock is the inventory item's.
insert into public.marketplace_products (id, workspace_id, seller_id, title, description, category, price, images, tags,
                                         available_regions, inventory_item_id, stock_quantity, customization_options, status)
values
  ('00000000-0000-4000-9500-000000000001', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000003',
   'Made-to-measure linen shirt', 'A linen shirt cut to your measurements at the atelier, with an optional monogram.',
   'shirts', 349.00, '{}', '{linen,made-to-measure}', '{BR}', null, null,
   '[{"name": "size", "type": "choice", "choices": ["S", "M", "L", "XL"], "required": true},
     {"name": "monogram", "label": "Monogram (up to 3 letters)", "type": "text", "min": 1, "max": 3}]', 'published'),
  ('00000000-0000-4000-9500-000000000002', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000003',
   'Silk pocket square', 'Hand-rolled silk pocket square, ivory.', 'accessories', 79.00, '{}', '{silk,gift}', '{}',
   null, 12, '[]', 'published'),
  ('00000000-0000-4000-9500-000000000003', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000002',
   'Navy linen by the metre', 'The atelier''s navy linen, sold by the metre.', 'fabric', 89.90, '{}', '{linen,fabric}',
   '{BR}', '00000000-0000-4000-9100-000000000001', null, '[]', 'published')
on conflict (id) do nothing;

-- Social (the social module): Bea, a customer account, follows the
-- tailors; Maya has posted three of their pieces (published as the
-- workspace, public); Bea and Victor like the first, and Bea comments.
-- The posts' photos are objects of the media bucket in the workspace's
-- folder (rows here; upload the files through Storage to see them).
insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                        confirmation_token, recovery_token, email_change_token_new, email_change)
values ('00000000-0000-4000-a000-000000000011', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
        'bea@demo.threadline.dev', extensions.crypt('threadline-demo', extensions.gen_salt('bf')), now(),
        '{"provider": "email", "providers": ["email"]}', '{"full_name": "Bea Buyer", "account_type": "customer"}',
        now(), now(), '', '', '', '')
on conflict (id) do nothing;
insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values ('00000000-0000-4000-a000-000000000011', '00000000-0000-4000-a000-000000000011',
        '{"sub": "00000000-0000-4000-a000-000000000011", "email": "bea@demo.threadline.dev", "email_verified": true}',
        'email', now(), now(), now())
on conflict (provider_id, provider) do nothing;
insert into storage.objects (bucket_id, name, metadata)
select 'media', '00000000-0000-4000-b000-000000000001/uploads/' || f, jsonb_build_object('mimetype', 'image/jpeg', 'size', 120000)
  from unnest(array['navy-linen-shirt.jpg', 'wedding-suit.jpg', 'summer-dress.jpg', 'dress-back.jpg']) f
on conflict (bucket_id, name) do nothing;
insert into public.feeds (id, user_id, workspace_id, feed_type, caption, media_paths, tags, location, visibility, status)
values
  ('00000000-0000-4000-9500-000000000001', '00000000-0000-4000-a000-000000000003', '00000000-0000-4000-b000-000000000001',
   'image', 'A wedding suit, cut and sewn in the atelier', array['00000000-0000-4000-b000-000000000001/uploads/wedding-suit.jpg'],
   array['bespoke', 'wedding'], '{"name": "Sao Paulo"}', 'public', 'published'),
  ('00000000-0000-4000-9500-000000000002', '00000000-0000-4000-a000-000000000003', '00000000-0000-4000-b000-000000000001',
   'carousel', 'Summer dress, front and back',
   array['00000000-0000-4000-b000-000000000001/uploads/summer-dress.jpg', '00000000-0000-4000-b000-000000000001/uploads/dress-back.jpg'],
   array['linen', 'summer'], null, 'public', 'published'),
  ('00000000-0000-4000-9500-000000000003', '00000000-0000-4000-a000-000000000003', '00000000-0000-4000-b000-000000000001',
   'image', 'Next week: the autumn line', array['00000000-0000-4000-b000-000000000001/uploads/navy-linen-shirt.jpg'],
   array['autumn'], null, 'public', 'draft')
on conflict (id) do nothing;
insert into public.follows (follower_id, followed_workspace_id)
values ('00000000-0000-4000-a000-000000000011', '00000000-0000-4000-b000-000000000001')
on conflict do nothing;
insert into public.feed_likes (feed_id, user_id)
values ('00000000-0000-4000-9500-000000000001', '00000000-0000-4000-a000-000000000011'),
       ('00000000-0000-4000-9500-000000000001', '00000000-0000-4000-a000-000000000004')
on conflict do nothing;
insert into public.feed_comments (id, feed_id, user_id, content)
values ('00000000-0000-4000-9500-000000000011', '00000000-0000-4000-9500-000000000001', '00000000-0000-4000-a000-000000000011',
        'Beautiful work! Do you make these to measure?')
on conflict (id) do nothing;

-- The tailors' Instagram account, connected by Olivia (the owner); its
-- long-lived token in Vault as connect_social_account would put it. The
-- fake provider knows the account and token (npm start tells it).
insert into public.social_media_connections (id, user_id, workspace_id, platform, platform_user_id, username, account_type,
                                             permissions, token_expires_at, metadata)
values ('00000000-0000-4000-9600-000000000001', '00000000-0000-4000-a000-000000000001', '00000000-0000-4000-b000-000000000001',
        'instagram', '17841400000000001', 'demo.tailors', 'business',
        array['instagram_business_basic', 'instagram_business_content_publish'], now() + interval '60 days',
        '{"name": "Threadline Demo Tailors"}')
on conflict (id) do nothing;
select private.put_social_tokens('00000000-0000-4000-9600-000000000001', 'demo-instagram-token', null)
 where not exists (select 1 from private.social_connection_tokens t where t.connection_id = '00000000-0000-4000-9600-000000000001');
