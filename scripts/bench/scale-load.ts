// The volume `npm run bench:scale` measures, loaded set-based through the
// real tables as a superuser with triggers off (session_replication_role
// = replica), then made consistent set-based: every conversation's last
// message, unread count and window as ingestion would have left them, one
// processed raw event (payload and bytes) per inbound message, statistics.
// Workspace 0 holds `bigShare` of everything; the others share the rest.
// Everything it makes has a slug starting with scale-, and goes with it.
import type { Sql } from "./setup.ts";

export type Volume = { messages: number; workspaces: number; bigShare: number };

const phrases = [
  "Olá, bom dia! Gostaria de saber o status do meu pedido",
  "Obrigado pelo atendimento, vocês são ótimos",
  "Quando chega a entrega? Já faz uma semana",
  "Vocês entregam em São Paulo no mesmo dia?",
  "Meu coração ficou feliz com o presente, obrigada",
  "O pagamento por pix já foi feito, segue o comprovante",
  "Vocês têm essa peça em outra cor? Gostei do vestido azul",
  "Hola, ¿cuándo llega mi pedido? Lo necesito para mañana",
  "¿Tienen envío a Bogotá? Quiero dos camisetas",
  "Muchas gracias por la atención, todo llegó perfecto",
  "El producto llegó dañado, ¿cómo hago el cambio?",
  "¿Aceptan pago con tarjeta en cuotas?",
  "Hi, good morning! I would like to know the status of my order",
  "Thanks for the help, you are great",
  "When will the delivery arrive? It has been a week",
  "Do you have this item in another color?",
  "The package came wrong, I ordered another size",
  "Can you send me the invoice please?",
];
const firstNames = [
  "Ana",
  "João",
  "María",
  "José",
  "Sofía",
  "Lucía",
  "Camila",
  "Mateus",
  "Sebastián",
  "Emily",
  "David",
];
const lastNames = [
  "Silva",
  "Souza",
  "Gonçalves",
  "García",
  "Núñez",
  "Pérez",
  "Smith",
  "Brown",
  "Araújo",
  "Peña",
];

const list = (xs: string[]) => `array[${xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(",")}]`;

export async function loaded(sql: Sql): Promise<boolean> {
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.workspaces where slug like 'scale-%'`;
  return n > 0;
}

export async function load(sql: Sql, v: Volume, tag: string): Promise<void> {
  const M = v.messages, W = v.workspaces;
  const conversations = Math.max(1, Math.floor(M / 10)), contacts = Math.max(1, Math.floor(M / 5));
  // Entity i belongs to workspace 0 for bigShare of all i, else one of the others in turn.
  const slot = (i: string) =>
    `case when (${i}) % 1000 < ${Math.round(v.bigShare * 1000)} then 0 else 1 + (${i}) % ${
      W - 1
    } end`;
  await sql.begin(async (tx) => {
    await tx.unsafe(`set local session_replication_role = replica`);
    await tx.unsafe(`set local work_mem = '64MB'`);
    await tx.unsafe(`
      create temp table scale_ws on commit drop as
      select n, gen_random_uuid() as ws, gen_random_uuid() as ch, gen_random_uuid() as member
        from generate_series(0, ${W - 1}) n;
      insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data,
                              email_confirmed_at, created_at, updated_at)
      select member, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
             'scale-' || n || '-${tag}@example.com', '{}', '{"provider":"email"}', now(), now(), now() from scale_ws;
      insert into public.profiles (id, email, status) select member, 'scale-' || n || '-${tag}@example.com', 'active' from scale_ws;
      insert into public.workspaces (id, name, slug, created_by, plan)
      select ws, 'Scale ' || n, 'scale-' || n || '-${tag}', member, 'enterprise' from scale_ws;
      insert into public.workspace_members (workspace_id, user_id, role) select ws, member, 'member' from scale_ws;
      insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number, status)
      select ch, ws, 'cloud_api', 'Scale ' || n, 'PN-SCALE-' || n || '-${tag}', '1555' || lpad(n::text, 7, '0'), 'connected'
        from scale_ws;

      create temp table scale_contact on commit drop as
      select i, private.uuid7() as id, w.ws, w.ch, w.member,
             (5511000000000 + i * 7)::text as phone
        from generate_series(0, ${contacts - 1}) i join scale_ws w on w.n = ${slot("i")};
      insert into public.contacts (id, workspace_id, name, phone, tags, labels, source, created_at)
      select c.id, c.ws, (${list(firstNames)})[1 + i % ${firstNames.length}] || ' ' || (${
      list(lastNames)
    })[1 + (i / 11) % ${lastNames.length}],
             c.phone,
             case when i % 10 = 0 then '{vip}'::text[] when i % 7 = 0 then '{atacado}' else '{}' end,
             case when i % 20 = 0 then '{lead}'::text[] else '{}' end,
             'inbound', now() - interval '400 days' + i * interval '1 second'
        from scale_contact c order by i;

      create temp table scale_conv on commit drop as
      select c.i, private.uuid7() as id, c.ws, c.ch, c.id as contact, c.phone, c.member,
             row_number() over (partition by c.ws order by c.i) as display_id
        from scale_contact c where c.i < ${conversations};
      insert into public.contact_identities (workspace_id, contact_id, channel_id, external_id, phone, push_name)
      select v.ws, v.contact, v.ch, v.phone, v.phone, 'Cliente' from scale_conv v order by v.i;
      insert into public.conversations (id, workspace_id, channel_id, display_id, chat_id, contact_id, status, assignee_id, created_at)
      select v.id, v.ws, v.ch, v.display_id, v.phone, v.contact,
             (array['open', 'pending', 'closed', 'closed'])[1 + v.i % 4]::public.conversation_status,
             case when v.i % 10 = 3 then v.member end, now() - interval '400 days'
        from scale_conv v order by v.i;

      -- In time order over the last 180 days, as ingestion writes them.
      create temp table scale_msg on commit drop as
      select g, private.uuid7() as id, v.id as conv, v.ws, v.ch, v.contact, v.phone,
             now() - interval '180 days' + interval '180 days' * g / ${M} as at,
             random() < 0.55 as inbound,
             (${list(phrases)})[1 + floor(random() * ${phrases.length})::int] as content
        from (select g, floor(random() * ${conversations})::int as k from generate_series(0, ${
      M - 1
    }) g) x
        join scale_conv v on v.i = x.k;
      insert into public.messages (id, workspace_id, channel_id, conversation_id, contact_id, direction, type, content,
                                   provider_message_id, status, sender_identifier, recipient_identifier,
                                   provider_timestamp, created_at, updated_at)
      select m.id, m.ws, m.ch, m.conv, m.contact, case when m.inbound then 'inbound' else 'outbound' end::public.message_direction,
             'text', m.content, 'wamid.scale.${tag}.' || m.g, case when m.inbound then 'delivered' else 'read' end::public.message_status,
             case when m.inbound then m.phone else 'me' end, case when m.inbound then 'me' else m.phone end, m.at, m.at, m.at
        from scale_msg m order by m.g;

      -- One processed raw event per inbound message: the Cloud API body.
      create temp table scale_event on commit drop as
      select m.ws, m.ch, m.at, jsonb_build_object('object', 'whatsapp_business_account', 'entry', jsonb_build_array(jsonb_build_object(
               'id', 'WABA-SCALE', 'changes', jsonb_build_array(jsonb_build_object('field', 'messages', 'value', jsonb_build_object(
                 'messaging_product', 'whatsapp',
                 'metadata', jsonb_build_object('display_phone_number', '15550000000', 'phone_number_id', 'PN-SCALE'),
                 'contacts', jsonb_build_array(jsonb_build_object('profile', jsonb_build_object('name', 'Cliente'), 'wa_id', m.phone)),
                 'messages', jsonb_build_array(jsonb_build_object('from', m.phone, 'id', 'wamid.scale.${tag}.' || m.g,
                   'timestamp', extract(epoch from m.at)::bigint::text, 'type', 'text',
                   'text', jsonb_build_object('body', m.content))))))))) as payload
        from scale_msg m where m.inbound order by m.g;
      with ev as (
        insert into public.webhook_events (workspace_id, channel_id, provider, event_type, payload, body_sha256,
                                           processed, processed_at, created_at)
        select e.ws, e.ch, 'cloud_api', 'messages', e.payload, sha256(convert_to(e.payload::text, 'UTF8')), true, e.at, e.at
          from scale_event e
        returning id, payload)
      insert into private.webhook_bodies (event_id, body, received_at)
      select ev.id, convert_to(ev.payload::text, 'UTF8'), now() from ev;

      -- Each conversation as ingestion leaves it.
      update public.conversations c set
        last_message_id = l.id, last_message_at = l.at, last_message_preview = left(l.content, 140),
        last_message_direction = case when l.inbound then 'inbound' else 'outbound' end::public.message_direction,
        last_inbound_at = l.last_in, window_expires_at = l.last_in + interval '24 hours',
        unread_count = case when l.inbound and c.display_id % 10 = 0 then 1 + c.display_id % 3 else 0 end
        from (select distinct on (m.conv) m.conv, m.id, m.at, m.content, m.inbound,
                     max(m.at) filter (where m.inbound) over (partition by m.conv) as last_in
                from scale_msg m order by m.conv, m.g desc) l
       where c.id = l.conv;
      update public.contacts ct set last_message_at = c.last_message_at
        from public.conversations c where c.contact_id = ct.id and c.workspace_id in (select ws from scale_ws);
    `);
  });
  // The summary updates left a dead version of each conversation and contact behind.
  await sql.unsafe(`vacuum full public.conversations`);
  await sql.unsafe(`vacuum full public.contacts`);
  for (
    const t of ["contacts", "contact_identities", "conversations", "messages", "webhook_events"]
  ) {
    await sql.unsafe(`vacuum analyze public.${t}`);
  }
  await sql.unsafe(`vacuum analyze private.webhook_bodies`);
}

export async function unload(sql: Sql): Promise<void> {
  const ws = await sql<{ id: string; created_by: string }[]>`
    select id, created_by from public.workspaces where slug like 'scale-%'`;
  for (const w of ws) {
    await sql`delete from public.workspaces where id = ${w.id}`;
    await sql`delete from auth.users where id = ${w.created_by}`;
  }
}
