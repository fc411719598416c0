-- Module: commerce
--
-- What a business sells and keeps in stock (seed 004 Orders and
-- Inventory): inventory items and their movements, orders and their items,
-- the orders' status history and WhatsApp notices, and a contact's
-- timeline (interactions, orders, conversations).
--
-- Stock. An item's current_stock changes only through inventory_movements:
-- a movement locks its item, the database fills in previous_stock and
-- new_stock and moves the item in the same statement, so two movements of
-- one item never lose an update and a last unit is sold once. Stock never
-- goes below zero unless the workspace allows backorders. The item's
-- status follows its level; going from above min_stock_level to at or
-- below it tells the workspace's admins, once per crossing.
--
-- Orders. Numbers come from a per-workspace counter locked until commit
-- (gapless, concurrency-safe), formatted by the workspace's
-- order_number_format. Totals are the database's: items' totals, then the
-- order's subtotal by difference per statement, tax and total. Moving an
-- order in-progress takes its items out of stock as movements referencing
-- it; cancelling returns them. The client's contact keeps total_orders,
-- total_revenue (what was paid on orders not cancelled) and last_order_at.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.inventory_status as enum ('in-stock', 'low-stock', 'out-of-stock');
create type public.inventory_movement_type as enum ('stock-in', 'stock-out', 'adjustment', 'return');
create type public.work_order_status as enum ('pending', 'in-progress', 'completed', 'cancelled');
create type public.payment_status as enum ('unpaid', 'partial', 'paid');
create type private.amount_change as (id uuid, amount numeric);

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.inventory_items (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 200),
  sku text not null check (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  description text check (char_length(description) <= 2000),
  category text check (char_length(category) <= 100),
  current_stock integer not null default 0,
  min_stock_level integer not null default 0 check (min_stock_level >= 0),
  max_stock_level integer check (max_stock_level >= min_stock_level),
  -- numeric takes 'NaN', which compares above every number: a NaN price
  -- would pass >= 0 and make every total it reaches NaN (and any payment
  -- fit a NaN balance). Each amount a client writes refuses it.
  cost_price numeric(12, 2) check (cost_price >= 0 and cost_price <> 'NaN'),
  selling_price numeric(12, 2) check (selling_price >= 0 and selling_price <> 'NaN'),
  unit text not null default 'pcs' check (char_length(unit) between 1 and 20),
  status public.inventory_status not null generated always as (
    case when current_stock <= 0 then 'out-of-stock'::public.inventory_status
         when current_stock <= min_stock_level then 'low-stock'::public.inventory_status
         else 'in-stock'::public.inventory_status end) stored,
  supplier_name text check (char_length(supplier_name) <= 200),
  supplier_contact text check (char_length(supplier_contact) <= 200),
  image_url text check (image_url ~ '^https?://'),
  tags text[] not null default '{}',
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, sku)
);
comment on table public.inventory_items is 'What a workspace keeps in stock (seed 004 inventory_items). current_stock changes only through inventory_movements.';
comment on column public.inventory_items.sku is 'Stock-keeping unit, unique in the workspace.';
comment on column public.inventory_items.current_stock is 'Units on hand; written only by movements (an item created with stock gets an opening stock-in movement). Negative only when the workspace allows backorders.';
comment on column public.inventory_items.min_stock_level is 'At or below this level the item is low-stock and admins are told (once per crossing).';
comment on column public.inventory_items.max_stock_level is 'The level to restock up to; informational.';
comment on column public.inventory_items.cost_price is 'What a unit costs the business, in the workspace''s currency.';
comment on column public.inventory_items.selling_price is 'A unit''s price, the default for order items.';
comment on column public.inventory_items.status is 'Derived from current_stock and min_stock_level: in-stock, low-stock (at or below min), out-of-stock (none left).';

create table public.inventory_movements (
  id uuid primary key default private.uuid7(),
  inventory_item_id uuid not null references public.inventory_items (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  movement_type public.inventory_movement_type not null,
  quantity integer not null check (quantity <> 0),
  previous_stock integer not null,
  new_stock integer not null,
  reference_type text check (char_length(reference_type) <= 50),
  reference_id uuid,
  notes text check (char_length(notes) <= 1000),
  moved_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  check (movement_type = 'adjustment' or quantity > 0)
);
comment on table public.inventory_movements is 'Every change of an item''s stock, append-only (seed 004 inventory_movements). previous_stock and new_stock are filled in by the database.';
comment on column public.inventory_movements.quantity is 'Units moved: positive for stock-in, stock-out and return (the type gives the direction); for adjustment the signed change.';
comment on column public.inventory_movements.previous_stock is 'The item''s stock just before this movement, set by the database.';
comment on column public.inventory_movements.new_stock is 'The item''s stock after it, set by the database.';
comment on column public.inventory_movements.reference_type is 'What caused it, e.g. order, delivery, count, opening.';
comment on column public.inventory_movements.reference_id is 'The id of what caused it, e.g. the order.';
comment on column public.inventory_movements.moved_by is 'Who recorded it (the signed-in user; null for the system).';


-- Gapless counters per workspace (orders; invoices will have theirs), where
-- conversations' display numbers use sequences (fast, may skip). The
-- row is locked by the increment until the transaction ends, so a number
-- taken by a transaction that rolls back is taken again by the next one.
create table private.workspace_counters (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  kind text not null,
  last_value bigint not null,
  primary key (workspace_id, kind)
);
comment on table private.workspace_counters is 'Last number given per workspace and kind (e.g. order), for gapless human numbers.';

create table public.orders (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  contact_id uuid references public.contacts (id) on delete set null,
  -- The database fills these in; the defaults only spare clients' insert
  -- types from asking for them.
  number bigint not null default 0,
  order_number text not null default '',
  title text not null check (char_length(title) between 1 and 200),
  description text check (char_length(description) <= 4000),
  customer_name text not null default '' check (char_length(customer_name) between 1 and 200),
  customer_email text check (char_length(customer_email) <= 320),
  customer_phone text check (char_length(customer_phone) <= 32),
  order_date timestamptz not null default now(),
  due_date timestamptz,
  priority public.priority_level not null default 'medium',
  status public.work_order_status not null default 'pending',
  currency text not null default 'XXX' check (currency ~ '^[A-Z]{3}$'),
  subtotal numeric(12, 2) not null default 0,
  discount numeric(12, 2) not null default 0 check (discount >= 0 and discount <> 'NaN'),
  -- Null on the way in means the workspace's default_tax_rate; never null
  -- once stored.
  tax_rate numeric(5, 2) check (tax_rate is not null and tax_rate between 0 and 100),
  tax numeric(12, 2) not null default 0,
  total_amount numeric(12, 2) not null default 0,
  amount_paid numeric(12, 2) not null default 0 check (amount_paid >= 0),
  balance_due numeric(12, 2) not null generated always as (total_amount - amount_paid) stored,
  deposit_amount numeric(12, 2) check (deposit_amount >= 0 and deposit_amount <> 'NaN'),
  payment_status public.payment_status not null generated always as (
    case when total_amount > 0 and amount_paid >= total_amount then 'paid'::public.payment_status
         when amount_paid > 0 then 'partial'::public.payment_status
         else 'unpaid'::public.payment_status end) stored,
  notes text check (char_length(notes) <= 4000),
  source text not null default 'manual' check (source in ('manual', 'api', 'agent', 'marketplace')),
  agent_id bigint references public.agents (id) on delete set null,
  agent_order_id integer,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  assigned_to uuid references public.profiles (id) on delete set null,
  started_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text check (char_length(cancel_reason) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, number),
  unique (workspace_id, order_number),
  unique (id, workspace_id),
  check (amount_paid <= total_amount),
  check (discount <= subtotal)
);
comment on table public.orders is 'What a client ordered (seed 004 orders), with a gapless per-workspace number, totals kept by the database from its items, and a status that moves pending -> in-progress -> completed, or cancelled.';
comment on column public.orders.contact_id is 'The client (seed client_id): a contact of the workspace, the same person who writes on WhatsApp.';
comment on column public.orders.number is 'Gapless per workspace (1, 2, 3 ...), given by the database when the order is made.';
comment on column public.orders.order_number is 'The number as people read it, from the workspace''s order_number_format; unique in the workspace.';
comment on column public.orders.customer_name is 'The client''s name when the order was made (taken from the contact when not given).';
comment on column public.orders.customer_email is 'The client''s email when the order was made.';
comment on column public.orders.customer_phone is 'The client''s phone when the order was made (E.164 digits from the contact).';
comment on column public.orders.order_date is 'When the order was placed; the client''s last_order_at follows it.';
comment on column public.orders.due_date is 'When the work is due.';
comment on column public.orders.priority is 'low, medium, high or urgent.';
comment on column public.orders.status is 'pending -> in-progress (stock is taken) -> completed; pending or in-progress -> cancelled (stock taken is returned). Other moves are refused.';
comment on column public.orders.currency is 'ISO 4217 code, the workspace''s currency when the order was made.';
comment on column public.orders.subtotal is 'Sum of the items'' total_price, kept by the database.';
comment on column public.orders.discount is 'An amount off the subtotal (at most the subtotal).';
comment on column public.orders.tax_rate is 'Tax in percent of subtotal - discount; starts at the workspace''s default_tax_rate.';
comment on column public.orders.tax is 'round((subtotal - discount) x tax_rate / 100, 2), kept by the database.';
comment on column public.orders.total_amount is 'subtotal - discount + tax, kept by the database.';
comment on column public.orders.amount_paid is 'What the client has paid so far; never more than the total. Moved by public.record_payment and record_refund (each an income transaction), not by clients directly.';
comment on column public.orders.balance_due is 'total_amount - amount_paid.';
comment on column public.orders.deposit_amount is 'The deposit asked for, if any (informational).';
comment on column public.orders.payment_status is 'unpaid (nothing paid), partial, or paid (the whole total, when there is one): derived from amount_paid.';
comment on column public.orders.source is 'Where the order came from: manual, api, agent (mirrored from an agent''s agt_<id>_orders) or marketplace.';
comment on column public.orders.agent_id is 'For a mirrored agent order: the agent.';
comment on column public.orders.agent_order_id is 'For a mirrored agent order: its id in agt_<agent_id>_orders.';
comment on column public.orders.created_by is 'Who made the order.';
comment on column public.orders.assigned_to is 'The member who works on it (must be an active member of the workspace).';
comment on column public.orders.started_at is 'When it went in-progress (set by the database).';
comment on column public.orders.completed_at is 'When it was completed (set by the database).';
comment on column public.orders.cancelled_at is 'When it was cancelled (set by the database).';
comment on column public.orders.cancel_reason is 'Why it was cancelled.';

create table public.order_items (
  id uuid primary key default private.uuid7(),
  order_id uuid not null,
  workspace_id uuid not null,
  inventory_item_id uuid references public.inventory_items (id) on delete set null,
  item_name text not null default '' check (char_length(item_name) between 1 and 200),
  item_description text check (char_length(item_description) <= 2000),
  quantity integer not null default 1 check (quantity between 1 and 1000000),
  -- Null on the way in means the inventory item's selling_price; never
  -- null once stored.
  unit_price numeric(12, 2) check (unit_price is not null and unit_price >= 0 and unit_price <> 'NaN'),
  total_price numeric(12, 2) not null default 0,
  created_at timestamptz not null default now(),
  foreign key (order_id, workspace_id) references public.orders (id, workspace_id) on delete cascade
);
comment on table public.order_items is 'The lines of an order (seed 004 order_items). They change only while the order is pending.';
comment on column public.order_items.workspace_id is 'The order''s workspace (filled in from the order).';
comment on column public.order_items.inventory_item_id is 'The stocked item this line draws on, if any: the order takes it out of stock when it goes in-progress.';
comment on column public.order_items.item_name is 'What was ordered; the inventory item''s name when not given.';
comment on column public.order_items.quantity is 'Units ordered (1 or more).';
comment on column public.order_items.unit_price is 'Price of one unit; the inventory item''s selling_price when not given.';
comment on column public.order_items.total_price is 'quantity x unit_price, kept by the database.';

-- Every status an order has been in, and what the customer was told.
create table public.order_status_changes (
  id uuid primary key default private.uuid7(),
  order_id uuid not null,
  workspace_id uuid not null,
  from_status public.work_order_status,
  to_status public.work_order_status not null,
  changed_by uuid references public.profiles (id) on delete set null,
  changed_at timestamptz not null default now(),
  message_id uuid references public.messages (id) on delete set null,
  message_error text,
  foreign key (order_id, workspace_id) references public.orders (id, workspace_id) on delete cascade
);
comment on table public.order_status_changes is 'An order''s status history, written by the database: who moved it, and the WhatsApp message that told the customer (or why none was sent).';
comment on column public.order_status_changes.from_status is 'The status before (null when the order was made).';
comment on column public.order_status_changes.message_id is 'The template message sent to the customer for this status, when the workspace maps the status to a template.';
comment on column public.order_status_changes.message_error is 'Why the mapped template message was not sent (opted out, no phone, template not approved, ...).';

-- A workspace's order notices: this status -> this approved UTILITY template.
create table public.order_status_templates (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  status public.work_order_status not null,
  template_id uuid not null references public.message_templates (id) on delete cascade,
  parameters jsonb not null default '{}'::jsonb,
  is_active boolean not null default true,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, status)
);
comment on table public.order_status_templates is 'Which approved UTILITY template tells the customer that their order reached a status; sent through the normal send path.';
comment on column public.order_status_templates.template_id is 'An approved UTILITY template of one of the workspace''s channels; the message goes out on that channel.';
comment on column public.order_status_templates.parameters is 'Template parameters as for send_message (an array of body values or {"header", "body", "buttons"}), where {order_number}, {title}, {customer_name}, {status}, {total}, {balance_due}, {currency} and {due_date} are replaced by the order''s values.';

alter table public.messages add constraint messages_order_id_fkey
  foreign key (order_id) references public.orders (id) on delete set null;

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index inventory_items_workspace_idx on public.inventory_items (workspace_id, name);
create index inventory_items_status_idx on public.inventory_items (workspace_id, status) where status <> 'in-stock';
create index inventory_items_created_by_idx on public.inventory_items (created_by) where created_by is not null;
create index inventory_movements_item_idx on public.inventory_movements (inventory_item_id, created_at desc);
create index inventory_movements_workspace_idx on public.inventory_movements (workspace_id, created_at desc);
create index inventory_movements_reference_idx on public.inventory_movements (reference_type, reference_id)
  where reference_id is not null;
create index inventory_movements_moved_by_idx on public.inventory_movements (moved_by) where moved_by is not null;
create index orders_workspace_date_idx on public.orders (workspace_id, order_date desc, id desc);
create index orders_workspace_status_idx on public.orders (workspace_id, status, due_date);
create index orders_contact_idx on public.orders (contact_id, order_date desc, id desc) where contact_id is not null;
create index orders_assigned_to_idx on public.orders (assigned_to) where assigned_to is not null;
create index orders_created_by_idx on public.orders (created_by) where created_by is not null;
create unique index orders_agent_order_key on public.orders (agent_id, agent_order_id) where agent_id is not null;
create index order_items_order_idx on public.order_items (order_id, workspace_id);
create index order_items_workspace_idx on public.order_items (workspace_id);
create index order_items_inventory_idx on public.order_items (inventory_item_id) where inventory_item_id is not null;
create index order_status_changes_order_idx on public.order_status_changes (order_id, workspace_id, changed_at);
create index order_status_changes_workspace_idx on public.order_status_changes (workspace_id, changed_at desc);
create index order_status_changes_changed_by_idx on public.order_status_changes (changed_by) where changed_by is not null;
create index order_status_changes_message_idx on public.order_status_changes (message_id) where message_id is not null;
create index order_status_templates_template_idx on public.order_status_templates (template_id);
create index order_status_templates_created_by_idx on public.order_status_templates (created_by) where created_by is not null;
create index messages_order_id_idx on public.messages (order_id) where order_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Inventory -----------------------------------------------------------------------------

-- Fills in a movement and moves its item, holding the item's row lock
-- until the transaction ends: a concurrent movement of the same item waits
-- and then sees the stock this one left. A client's refusal comes first,
-- as RLS would give it, before the item is looked at or locked.
create function private.apply_inventory_movement()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  item public.inventory_items;
  delta bigint;  -- item + delta never overflows before it is checked
  backorders boolean;
begin
  -- An order's own movements were authorised with the order's update.
  if current_setting('threadline.order_stock', true) is distinct from 'on' then
    perform private.require_writer(new.workspace_id, 'member', 'inventory_movements');
    -- Cancelling an order returns what its movements took, found by its
    -- id: a movement names an order of its own workspace, or another
    -- workspace could make that order's cancellation fail.
    if new.reference_type = 'order' and new.reference_id is not null and not exists (
         select 1 from public.orders o where o.id = new.reference_id and o.workspace_id = new.workspace_id) then
      raise exception 'order not found in this workspace' using errcode = 'P0002',
        hint = 'reference_id of an order movement is an order of the movement''s workspace';
    end if;
  end if;
  -- Inserted while the stock is being moved: an order's stock-out, whose
  -- items move_order_stock locked and moved itself, levels computed.
  if coalesce(current_setting('threadline.inventory_move', true) = 'on', false) then
    new.moved_by := (select auth.uid());
    new.created_at := now();
    return new;
  end if;
  -- The opening movement of an item created with stock records that stock;
  -- the item has it already.
  if current_setting('threadline.inventory_opening', true) = 'on' and new.reference_type = 'opening'
     and not exists (select 1 from public.inventory_movements m where m.inventory_item_id = new.inventory_item_id) then
    new.previous_stock := 0;
    new.new_stock := new.quantity;
    return new;
  end if;
  select * into item from public.inventory_items i
   where i.id = new.inventory_item_id and i.workspace_id = new.workspace_id
     for no key update;
  if not found then
    raise exception 'inventory item not found in this workspace' using errcode = 'P0002';
  end if;
  delta := case new.movement_type when 'stock-out' then -new.quantity else new.quantity end;
  select w.allow_backorders into backorders from public.workspaces w where w.id = item.workspace_id;
  if item.current_stock + delta < 0 and not backorders then
    raise exception 'not enough stock of % (%): % % on hand, % requested', item.sku, item.name, item.current_stock,
      item.unit, -delta using errcode = '23514',
      hint = 'record a stock-in first, or let the workspace allow backorders';
  end if;
  if item.current_stock + delta not between -2147483648 and 2147483647 then
    raise exception 'stock of % (%) would be % %, more than an item counts (2147483647)', item.sku, item.name,
      item.current_stock + delta, item.unit using errcode = '22003';
  end if;
  new.previous_stock := item.current_stock;
  new.new_stock := item.current_stock + delta;
  new.moved_by := case when private.is_client() then (select auth.uid()) else new.moved_by end;
  new.created_at := now();
  perform set_config('threadline.inventory_move', 'on', true);
  update public.inventory_items i set current_stock = new.new_stock where i.id = item.id;
  perform set_config('threadline.inventory_move', 'off', true);
  return new;
end
$$;

-- current_stock is the movements' to write; an item made with stock gets
-- its opening movement.
create function private.guard_inventory_stock()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.current_stock is distinct from old.current_stock
     and current_setting('threadline.inventory_move', true) is distinct from 'on' then
    raise exception 'current_stock changes only through inventory_movements' using errcode = '42501',
      hint = 'insert a stock-in, stock-out, adjustment or return movement';
  end if;
  if tg_op = 'INSERT' and new.current_stock < 0 then
    raise exception 'an item starts with zero or more units' using errcode = '22023';
  end if;
  return new;
end
$$;

create function private.record_opening_stock()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform set_config('threadline.inventory_opening', 'on', true);
  insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity, previous_stock,
                                          new_stock, reference_type, notes, moved_by)
  select i.id, i.workspace_id, 'stock-in', i.current_stock, 0, i.current_stock, 'opening', 'stock the item was created with',
         i.created_by
    from inserted i where i.current_stock > 0;
  perform set_config('threadline.inventory_opening', 'off', true);
  return null;
end
$$;

-- Movements are history: never edited, never removed (deleting the item
-- or the workspace takes them along).
create function private.refuse_movement_change()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  raise exception 'inventory movements are not changed; record a new movement (an adjustment) instead' using errcode = '42501';
end
$$;

-- Crossing down to min_stock_level or below, once per crossing.
create function private.notify_low_stock()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select m.user_id, new.workspace_id, 'inventory_low_stock',
         case when new.current_stock <= 0 then 'Out of stock: ' else 'Low stock: ' end || left(new.name, 80),
         format('%s (%s) is down to %s %s (minimum %s).', new.name, new.sku, new.current_stock, new.unit, new.min_stock_level),
         '/inventory/' || new.id, 'inventory_item', new.id
    from public.workspace_members m
   where m.workspace_id = new.workspace_id and m.status = 'active' and m.role >= 'admin';
  perform private.emit_hook_events(array[row(new.workspace_id, null, 'inventory.low_stock', jsonb_build_object('item',
    jsonb_strip_nulls(jsonb_build_object('id', new.id, 'sku', new.sku, 'name', new.name, 'current_stock', new.current_stock,
      'min_stock_level', new.min_stock_level, 'unit', new.unit, 'status', new.status))))::private.new_hook_event]);
  return null;
end
$$;


-- Orders ------------------------------------------------------------------------------

-- The next number of a workspace's counter. The increment keeps the row
-- locked until the transaction ends: concurrent callers wait, and a number
-- given to a transaction that rolls back is given again (gapless).
create function private.next_gapless_number(ws uuid, p_kind text)
returns bigint
language sql volatile security definer set search_path = ''
as $$
  insert into private.workspace_counters as c (workspace_id, kind, last_value) values (ws, p_kind, 1)
  on conflict (workspace_id, kind) do update set last_value = c.last_value + 1
  returning c.last_value
$$;

-- {number}, {number:N} (zero-padded, never cut), {YYYY}, {YY}, {MM}: the
-- year and month of `at` in the workspace's time zone `tz`.
create function private.format_order_number(fmt text, n bigint, at timestamptz, tz text)
returns text
language plpgsql immutable set search_path = ''
as $$
declare
  m text[];
  local timestamp := at at time zone tz;
  out text := replace(replace(replace(fmt, '{YYYY}', to_char(local, 'YYYY')), '{YY}', to_char(local, 'YY')),
                      '{MM}', to_char(local, 'MM'));
begin
  out := replace(out, '{number}', n::text);
  loop
    m := regexp_match(out, '\{number:([0-9]{1,2})\}');
    exit when m is null;
    out := replace(out, '{number:' || m[1] || '}',
                   case when length(n::text) >= m[1]::integer then n::text else lpad(n::text, m[1]::integer, '0') end);
  end loop;
  return out;
end
$$;

create function private.order_next_statuses(s public.work_order_status)
returns public.work_order_status[]
language sql immutable set search_path = ''
as $$
  select case s
    when 'pending' then '{in-progress,cancelled}'
    when 'in-progress' then '{completed,cancelled}'
    else '{}'
  end::public.work_order_status[]
$$;
comment on function private.order_next_statuses(public.work_order_status) is
  'Order workflow: pending -> in-progress -> completed; pending or in-progress -> cancelled; completed and cancelled are final.';

-- A new order: number, customer snapshot, currency and tax rate from the
-- workspace; then, for every write, the status workflow and the totals.
-- Client refusals come first, as RLS would give them.
create function private.prepare_order()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  ws public.workspaces;
  ct public.contacts;
  mirror boolean := coalesce(current_setting('threadline.order_mirror', true) = 'on', false);
  client boolean := private.is_client() and not mirror;
begin
  if tg_op = 'INSERT' then
    if not mirror then
      perform private.require_writer(new.workspace_id, 'member', 'orders');
    end if;
    select * into ws from public.workspaces w where w.id = new.workspace_id;
    if client and new.status <> 'pending' then
      raise exception 'a new order starts pending, not %', new.status using errcode = '55000';
    end if;
    if client and new.source not in ('manual', 'api') then
      raise exception 'orders of source % are made by the database', new.source using errcode = '42501';
    end if;
    if client and (new.agent_id is not null or new.agent_order_id is not null) then
      raise exception 'agent orders are mirrored from the agent''s agt_<id>_orders table' using errcode = '42501';
    end if;
    new.currency := ws.currency;
    new.tax_rate := coalesce(new.tax_rate, ws.default_tax_rate);
    new.subtotal := 0;
    new.started_at := case when new.status in ('in-progress', 'completed') then now() end;
    new.completed_at := case when new.status = 'completed' then now() end;
    new.cancelled_at := case when new.status = 'cancelled' then now() end;
    new.created_at := now();
    if client then
      new.created_by := (select auth.uid());
    end if;
  else
    if mirror then
      null;
    elsif client and old.agent_id is not null and (new.status, new.amount_paid, new.discount, new.tax_rate, new.contact_id)
          is distinct from (old.status, old.amount_paid, old.discount, old.tax_rate, old.contact_id) then
      raise exception 'order % mirrors an order of agent %: change it in its agt_%_orders table', old.order_number,
        old.agent_id, old.agent_id using errcode = '55000';
    elsif old.status = 'cancelled' and to_jsonb(new) - '{notes,updated_at,balance_due,payment_status,amount_paid}'::text[]
                                       <> to_jsonb(old) - '{notes,updated_at,balance_due,payment_status,amount_paid}'::text[]
          or old.status = 'cancelled' and new.amount_paid > old.amount_paid then
      raise exception 'order % is cancelled: only its notes can change (and what was paid be refunded)', old.order_number
        using errcode = '55000';
    end if;
    if new.status <> old.status and not mirror and not new.status = any (private.order_next_statuses(old.status)) then
      raise exception 'order % cannot go from % to %', old.order_number, old.status, new.status using errcode = '55000',
        hint = case when cardinality(private.order_next_statuses(old.status)) = 0 then old.status || ' is final'
                    else 'next: ' || array_to_string(private.order_next_statuses(old.status), ', ') end;
    end if;
    if new.status <> old.status then
      new.started_at := case when new.status = 'in-progress' then now() else old.started_at end;
      new.completed_at := case when new.status = 'completed' then now() else old.completed_at end;
      new.cancelled_at := case when new.status = 'cancelled' then now() else old.cancelled_at end;
    end if;
    new.updated_at := now();
  end if;

  if new.contact_id is not null and (tg_op = 'INSERT' or new.contact_id is distinct from old.contact_id) then
    select * into ct from public.contacts c where c.id = new.contact_id and c.workspace_id = new.workspace_id;
    if not found then
      raise exception 'contact not found in this workspace' using errcode = 'P0002';
    end if;
    if tg_op = 'INSERT' or new.customer_name is not distinct from old.customer_name then
      new.customer_name := coalesce(nullif(btrim(new.customer_name), ''), nullif(btrim(ct.name), ''), '+' || ct.phone);
    end if;
    if tg_op = 'INSERT' or new.customer_email is not distinct from old.customer_email then
      new.customer_email := coalesce(new.customer_email, ct.email);
    end if;
    if tg_op = 'INSERT' or new.customer_phone is not distinct from old.customer_phone then
      new.customer_phone := coalesce(new.customer_phone, ct.phone);
    end if;
  end if;
  if coalesce(btrim(new.customer_name), '') = '' then
    raise exception 'an order needs a client: contact_id, or at least customer_name' using errcode = '23502';
  end if;
  if new.assigned_to is not null and (tg_op = 'INSERT' or new.assigned_to is distinct from old.assigned_to)
     and not exists (select 1 from public.workspace_members m
                      where m.workspace_id = new.workspace_id and m.user_id = new.assigned_to and m.status = 'active') then
    raise exception 'assigned_to must be an active member of the workspace' using errcode = '23503';
  end if;

  if new.discount > new.subtotal then
    raise exception 'the discount % is more than the subtotal % of order %', new.discount, new.subtotal,
      coalesce(new.order_number, '(new)') using errcode = '23514', hint = 'add the items first';
  end if;
  new.tax := round((new.subtotal - new.discount) * new.tax_rate / 100, 2);
  if new.subtotal - new.discount + new.tax > 9999999999.99 then
    raise exception 'order % would total % with its tax, more than an amount can be (9999999999.99)',
      coalesce(new.order_number, '(new)'), new.subtotal - new.discount + new.tax using errcode = '22003';
  end if;
  new.total_amount := new.subtotal - new.discount + new.tax;
  if new.amount_paid > new.total_amount then
    raise exception 'order % would be overpaid: % paid, total %', coalesce(new.order_number, '(new)'), new.amount_paid,
      new.total_amount using errcode = '23514',
      hint = case when tg_op = 'UPDATE' and new.amount_paid = old.amount_paid
                  then 'the total went below what was paid; refund the difference first'
                  else 'record at most the balance due' end;
  end if;
  if tg_op = 'INSERT' then
    -- Last: the counter stays locked until commit, so concurrent orders of
    -- the workspace wait from here on, not for the checks above.
    new.number := private.next_gapless_number(new.workspace_id, 'order');
    new.order_number := private.format_order_number(ws.order_number_format, new.number, new.order_date, ws.timezone);
  end if;
  return new;
end
$$;

-- Only what holds no stock is removed: a pending or cancelled order.
create function private.guard_order_delete()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if old.status in ('in-progress', 'completed') and current_setting('threadline.order_mirror', true) is distinct from 'on'
     and exists (select 1 from public.workspaces w where w.id = old.workspace_id) then  -- not the workspace going
    raise exception 'order % is %: cancel it instead of deleting it', old.order_number, old.status
      using errcode = '55000', hint = case when old.status = 'in-progress' then 'cancelling returns its stock' end;
  end if;
  return old;
end
$$;

-- An item: its order (locked, so a concurrent status change waits and
-- then sees it), defaults from the inventory item, its total. An order
-- the caller cannot see is "not found", whether it exists or not, and is
-- neither locked nor waited for.
create function private.prepare_order_item()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r public.order_items := case when tg_op = 'DELETE' then old else new end;
  o public.orders;
  ws uuid;
  inv public.inventory_items;
  role public.member_role;
  mirror boolean := coalesce(current_setting('threadline.order_mirror', true) = 'on', false);
begin
  -- An inventory item deleted (alone, or with its workspace) unlinks its
  -- lines, whatever their order's state: history keeps name and price. A
  -- client unlinking an item that still exists is an edit like any other.
  if tg_op = 'UPDATE' and new.inventory_item_id is null and old.inventory_item_id is not null
     and (to_jsonb(new) - 'inventory_item_id') = (to_jsonb(old) - 'inventory_item_id')
     and not exists (select 1 from public.inventory_items i where i.id = old.inventory_item_id) then
    return new;
  end if;
  ws := (select x.workspace_id from public.orders x
          where x.id = r.order_id and x.workspace_id = coalesce(r.workspace_id, x.workspace_id));
  if not mirror and private.is_client() and ws is not null then
    role := private.workspace_role(ws);
    if role is null then
      raise exception 'order not found' using errcode = 'P0002';
    elsif role < 'member' then
      raise exception 'new row violates row-level security policy for table "order_items"' using errcode = '42501';
    end if;
  end if;
  select * into o from public.orders x where x.id = r.order_id and x.workspace_id = ws for no key update;
  if tg_op = 'DELETE' and not found then
    return old;  -- the order is being deleted
  elsif not found then
    raise exception 'order not found' using errcode = 'P0002';
  end if;
  if o.status <> 'pending' and not mirror then
    raise exception 'the items of order % change only while it is pending (it is %)', o.order_number, o.status
      using errcode = '55000';
  end if;
  if o.agent_id is not null and not mirror then
    raise exception 'order % mirrors an order of agent %: change it in its agt_%_orders_items table', o.order_number,
      o.agent_id, o.agent_id using errcode = '55000';
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  new.workspace_id := o.workspace_id;
  if new.inventory_item_id is not null and (tg_op = 'INSERT' or new.inventory_item_id is distinct from old.inventory_item_id) then
    select * into inv from public.inventory_items i where i.id = new.inventory_item_id and i.workspace_id = o.workspace_id;
    if not found then
      raise exception 'inventory item not found in this workspace' using errcode = 'P0002';
    end if;
    new.item_name := coalesce(nullif(btrim(new.item_name), ''), inv.name);
    new.unit_price := coalesce(new.unit_price, inv.selling_price);
  end if;
  if coalesce(btrim(new.item_name), '') = '' then
    raise exception 'an item needs an item_name, or an inventory_item_id to take it from' using errcode = '23502';
  end if;
  if new.unit_price is null then
    raise exception 'item "%" needs a unit_price', new.item_name using errcode = '23502',
      hint = case when new.inventory_item_id is not null then 'the inventory item has no selling_price' end;
  end if;
  if new.unit_price = 'NaN' then
    raise exception 'item "%": unit_price must be a number, not NaN', new.item_name using errcode = '22023';
  end if;
  -- Said plainly, not as numeric(12,2)'s "numeric field overflow".
  if new.quantity * new.unit_price > 9999999999.99 then
    raise exception 'item "%" totals % (% x %), more than an amount can be (9999999999.99)', new.item_name,
      new.quantity * new.unit_price, new.quantity, new.unit_price using errcode = '22003';
  end if;
  new.total_price := new.quantity * new.unit_price;
  new.created_at := case when tg_op = 'INSERT' then now() else old.created_at end;
  return new;
end
$$;

-- Items changed: their orders' subtotals move by the difference, which
-- stays exact however many statements touch one order at once.
create function private.order_items_changed()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- A trigger has the transition tables of its own event only.
  if tg_op = 'INSERT' then
    perform private.add_to_subtotals(array(select (n.order_id, n.total_price)::private.amount_change from new_items n));
  elsif tg_op = 'UPDATE' then
    perform private.add_to_subtotals(array(select (n.order_id, n.total_price)::private.amount_change from new_items n
                                           union all
                                           select (p.order_id, -p.total_price)::private.amount_change from old_items p));
  else
    perform private.add_to_subtotals(array(select (p.order_id, -p.total_price)::private.amount_change from old_items p));
  end if;
  return null;
end
$$;

create function private.add_to_subtotals(changes private.amount_change[])
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  over record;
begin
  -- Said plainly, not as numeric(12,2)'s "numeric field overflow" (the
  -- items' orders are locked: prepare_order_item).
  select o.order_number, o.subtotal + d.delta as subtotal into over
    from public.orders o
    join (select c.id, sum(c.amount) as delta from unnest(changes) c group by c.id) d on d.id = o.id
   where o.subtotal + d.delta > 9999999999.99
   limit 1;
  if found then
    raise exception 'the items of order % would add up to %, more than an amount can be (9999999999.99)', over.order_number,
      over.subtotal using errcode = '22003';
  end if;
  update public.orders o set subtotal = o.subtotal + d.delta
    from (select c.id, sum(c.amount) as delta from unnest(changes) c group by c.id) d
   where o.id = d.id and d.delta <> 0;
end
$$;

-- Stock follows the status: in-progress takes the items out (one
-- movement each, items locked in id order so two orders never deadlock),
-- cancelling returns what was taken.
create function private.move_order_stock(o public.orders, from_status public.work_order_status)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  short record;
  backorders boolean;
begin
  if not (o.status = 'in-progress' and from_status = 'pending' or o.status = 'cancelled' and from_status = 'in-progress') then
    return;  -- most calls: a new order, a completion, a pending order cancelled
  end if;
  perform set_config('threadline.order_stock', 'on', true);
  if o.status = 'in-progress' then
    -- Set-based: the items are locked in id order (so two orders never
    -- deadlock), checked, moved in one update and their movements written
    -- with the levels computed here, one per line.
    backorders := (select w.allow_backorders from public.workspaces w where w.id = o.workspace_id);
    for short in
      select i.sku, i.name, i.unit, i.current_stock, w.q
        from public.inventory_items i
        join (select l.inventory_item_id, sum(l.quantity) as q from public.order_items l
               where l.order_id = o.id and l.workspace_id = o.workspace_id and l.inventory_item_id is not null
               group by l.inventory_item_id) w on w.inventory_item_id = i.id
       where i.workspace_id = o.workspace_id
       order by i.id
         for no key update of i
    loop
      if short.current_stock < short.q and not backorders then
        raise exception 'not enough stock of % (%): % % on hand, % requested', short.sku, short.name, short.current_stock,
          short.unit, short.q using errcode = '23514',
          hint = 'record a stock-in first, or let the workspace allow backorders';
      end if;
    end loop;
    perform set_config('threadline.inventory_move', 'on', true);
    with lines as (
      select l.id, l.inventory_item_id, l.quantity from public.order_items l
       where l.order_id = o.id and l.workspace_id = o.workspace_id and l.inventory_item_id is not null),
    moved as (
      update public.inventory_items i set current_stock = i.current_stock - w.q
        from (select inventory_item_id, sum(quantity) as q from lines group by inventory_item_id) w
       where i.id = w.inventory_item_id and i.workspace_id = o.workspace_id
      returning i.id, i.current_stock + w.q as before)
    insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity, reference_type,
                                            reference_id, notes, previous_stock, new_stock)
    select l.inventory_item_id, o.workspace_id, 'stock-out', l.quantity, 'order', o.id, 'order ' || o.order_number,
           m.before - sum(l.quantity) over w + l.quantity, m.before - sum(l.quantity) over w
      from lines l join moved m on m.id = l.inventory_item_id
    window w as (partition by l.inventory_item_id order by l.id)
     order by l.inventory_item_id, l.id;
    perform set_config('threadline.inventory_move', 'off', true);
  else
    insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity, reference_type,
                                            reference_id, notes)
    select t.inventory_item_id, o.workspace_id, 'return', t.taken, 'order', o.id, 'order ' || o.order_number || ' cancelled'
      from (select m.inventory_item_id,
                   sum(case m.movement_type when 'stock-out' then m.quantity when 'return' then -m.quantity else 0 end) as taken
              from public.inventory_movements m
             where m.reference_type = 'order' and m.reference_id = o.id and m.workspace_id = o.workspace_id
             group by m.inventory_item_id) t
     where t.taken > 0
     order by t.inventory_item_id;
  end if;
  perform set_config('threadline.order_stock', 'off', true);
end
$$;

-- The customer hears of a status when the workspace maps it to a template:
-- through the normal send path (every send-time rule applies), linked to
-- the order. What happened is returned for the status history; the status
-- change stands either way.
create function private.send_order_notice(o public.orders, out message_id uuid, out error text)
language plpgsql security definer set search_path = ''
as $$
declare
  map public.order_status_templates;
begin
  select * into map from public.order_status_templates t
   where t.workspace_id = o.workspace_id and t.status = o.status and t.is_active;
  if found then
    select n.message_id, n.error into message_id, error
      from private.send_client_notice(o.workspace_id, o.contact_id, map.template_id,
                                      private.order_template_params(map.parameters, o), 'order', o.id) n;
  end if;
end
$$;

-- A notice to a client (of an order, of an invoice: what names it and its
-- id, which the message links to): an approved UTILITY template on its
-- channel, through the normal send path (every send-time rule applies). A
-- contact who said stop gets no automatic notices. Returns the message, or
-- why none was sent.
create function private.send_client_notice(ws uuid, contact uuid, template uuid, params jsonb, what text, what_id uuid,
                                           media_path text default null, media_filename text default null,
                                           out message_id uuid, out error text)
language plpgsql security definer set search_path = ''
as $$
declare
  tpl public.message_templates;
  ch public.channels;
  ct public.contacts;
  chat text;
  conv uuid;
begin
  select * into ct from public.contacts c where c.id = contact;
  if not found or ct.phone is null then
    error := format('the %s has no client with a WhatsApp number', what);
    return;
  end if;
  if private.contact_opted_out(ct.id) then
    error := 'the contact opted out of messages';
    return;
  end if;
  select * into tpl from public.message_templates t where t.id = template;
  if tpl.category <> 'UTILITY' then
    error := format('template "%s" is %s, not UTILITY', tpl.name, tpl.category);
    return;
  end if;
  select * into ch from public.channels c where c.id = tpl.channel_id;
  chat := ct.phone || case when ch.provider = 'cloud_api' then '' else '@s.whatsapp.net' end;
  begin
    -- The client's own chat on that channel (its id is what WhatsApp gave,
    -- which for some countries differs from the stored number), else a new one.
    select v.id into conv from public.conversations v
     where v.contact_id = ct.id and v.channel_id = ch.id and v.workspace_id = ws and v.type = 'individual'
     order by v.last_message_at desc nulls last, v.id desc limit 1;
    if conv is null then
      insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, type)
      values (ws, ch.id, chat, ct.id, 'individual')
      on conflict (channel_id, workspace_id, chat_id) do nothing;
      select v.id into conv from public.conversations v
       where v.channel_id = ch.id and v.workspace_id = ws and v.chat_id = chat;
    end if;
    insert into public.messages (conversation_id, type, template_id, template_params, order_id, invoice_id,
                                 media_path, media_filename)
    values (conv, 'template', tpl.id, params, case when what = 'order' then what_id end,
            case when what = 'invoice' then what_id end, send_client_notice.media_path, send_client_notice.media_filename)
    returning id into message_id;
  exception when others then
    message_id := null;
    error := sqlerrm;
  end;
end
$$;

-- Template parameters with values in place of their {tokens}.
create function private.fill_template_tokens(p jsonb, tokens jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  t text := p::text;
  k text;
  v text;
begin
  for k, v in select e.key, e.value::text from jsonb_each(tokens) e where jsonb_typeof(e.value) = 'string' loop
    -- v is the JSON string, escaped for the JSON text it goes into.
    t := replace(t, '{' || k || '}', substr(v, 2, length(v) - 2));
  end loop;
  return t::jsonb;
end
$$;

-- A mapping's parameters with the order's values in place of its tokens.
create function private.order_template_params(p jsonb, o public.orders)
returns jsonb
language sql stable set search_path = ''
as $$
  select private.fill_template_tokens(p, jsonb_build_object(
    'order_number', o.order_number, 'title', o.title, 'customer_name', o.customer_name, 'status', o.status::text,
    'total', o.total_amount::text, 'balance_due', o.balance_due::text, 'currency', o.currency,
    'due_date', coalesce(to_char(o.due_date at time zone private.workspace_timezone(o.workspace_id), 'YYYY-MM-DD'), '-')))
$$;

create function private.order_event_data(o public.orders)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object('order', jsonb_strip_nulls(jsonb_build_object(
    'id', o.id, 'order_number', o.order_number, 'title', o.title, 'contact_id', o.contact_id,
    'customer_name', o.customer_name, 'status', o.status, 'currency', o.currency, 'total_amount', o.total_amount,
    'amount_paid', o.amount_paid, 'balance_due', o.balance_due, 'payment_status', o.payment_status,
    'due_date', o.due_date, 'source', o.source)))
$$;

-- After a new order or a status change: history, the customer's notice,
-- the timeline, the hook event, stock.
create function private.order_status_moved()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  from_status public.work_order_status := case when tg_op = 'UPDATE' then old.status end;
  notice record;
begin
  select * into notice from private.send_order_notice(new);
  insert into public.order_status_changes (order_id, workspace_id, from_status, to_status, changed_by, message_id,
                                           message_error, changed_at)
  values (new.id, new.workspace_id, from_status, new.status, (select auth.uid()), notice.message_id, notice.error,
          clock_timestamp());
  -- The timeline shows later steps from the history itself.
  if tg_op = 'INSERT' then
    perform private.log_order_interaction(new, 'order', format('Order %s taken: %s', new.order_number, new.title),
                                          jsonb_build_object('status', new.status));
  end if;
  if private.workspace_has_hooks(new.workspace_id) then
    perform private.emit_hook_events(array[row(new.workspace_id, null,
      case when tg_op = 'INSERT' then 'order.created' else 'order.status_changed' end,
      private.order_event_data(new) || case when tg_op = 'UPDATE' then jsonb_build_object('previous_status', old.status)
                                            else '{}'::jsonb end)::private.new_hook_event]);
  end if;
  -- Last: the items' row locks are held until commit, and a popular item
  -- is what concurrent orders queue for.
  perform private.move_order_stock(new, from_status);
  return null;
end
$$;

-- The client's timeline gets the order taken and its payments. A mirrored
-- agent order made by someone outside the workspace (a platform super
-- admin) leaves no entry rather than fail.
create function private.log_order_interaction(o public.orders, kind public.interaction_type, subject text, facts jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if o.contact_id is null or current_setting('threadline.order_mirror', true) = 'on' and private.is_client()
     and not private.has_workspace_role(o.workspace_id, 'member') then
    return;
  end if;
  -- The clock, not the transaction's start: an order's entries of one
  -- transaction (taken, paid) keep the order they happened in, also
  -- beside its status history (stamped the same way).
  insert into public.client_interactions (workspace_id, contact_id, user_id, interaction_type, subject, metadata, occurred_at)
  values (o.workspace_id, o.contact_id, (select auth.uid()), kind, subject,
          jsonb_build_object('order_id', o.id, 'order_number', o.order_number) || facts, clock_timestamp());
end
$$;

create function private.order_paid()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.log_order_interaction(new, 'payment',
    format('%s of %s %s on order %s', case when new.amount_paid > old.amount_paid then 'Payment' else 'Refund' end,
           abs(new.amount_paid - old.amount_paid), new.currency, new.order_number),
    jsonb_build_object('amount', new.amount_paid - old.amount_paid, 'amount_paid', new.amount_paid, 'currency', new.currency,
                       'payment_status', new.payment_status));
  if private.workspace_has_hooks(new.workspace_id) then
    perform private.emit_hook_events(array[row(new.workspace_id, null, 'order.payment',
      private.order_event_data(new) || jsonb_build_object('amount', new.amount_paid - old.amount_paid))::private.new_hook_event]);
  end if;
  return null;
end
$$;

-- Contacts' figures move by each order's difference: count and revenue of
-- their orders that are not cancelled, and the latest order date (found
-- again when the latest order stops counting). Differences applied under
-- the contact's row lock stay exact with concurrent orders; the triggers'
-- WHEN lets through only the changes that move a figure.
create function private.order_contact_figures()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  counted_before boolean := tg_op <> 'INSERT' and old.contact_id is not null and old.status <> 'cancelled';
  counted_now boolean := tg_op <> 'DELETE' and new.contact_id is not null and new.status <> 'cancelled';
begin
  if counted_before and counted_now and new.contact_id = old.contact_id then
    update public.contacts c
       set total_revenue = c.total_revenue + new.amount_paid - old.amount_paid,
           last_order_at = greatest(c.last_order_at, new.order_date)
     where c.id = new.contact_id;
    counted_now := false;  -- done
  elsif counted_before then
    update public.contacts c
       set total_orders = c.total_orders - 1, total_revenue = c.total_revenue - old.amount_paid
     where c.id = old.contact_id;
  end if;
  if counted_now then
    update public.contacts c
       set total_orders = c.total_orders + 1, total_revenue = c.total_revenue + new.amount_paid,
           last_order_at = greatest(c.last_order_at, new.order_date)
     where c.id = new.contact_id;
  end if;
  -- The latest order may have stopped counting: look again, after the
  -- lock above, so what concurrent transactions committed is seen.
  if counted_before and (tg_op = 'DELETE' or new.status = 'cancelled' or new.contact_id is distinct from old.contact_id
                         or new.order_date <> old.order_date) then
    update public.contacts c
       set last_order_at = (select max(o.order_date) from public.orders o
                             where o.contact_id = c.id and o.status <> 'cancelled')
     where c.id = old.contact_id and c.last_order_at <= old.order_date;
  end if;
  return null;
end
$$;

-- Agent orders ----------------------------------------------------------------------------

-- An agent's order (agt_<id>_orders, seed 003) mirrored into the
-- workspace's orders, as agent messages are mirrored into messages: one
-- row per agent order (source agent), its items copied, its client the
-- contact with the customer's number, its status mapped (pending; confirmed,
-- processing and shipped are in-progress; delivered is completed;
-- cancelled and refunded are cancelled) and, once confirmed (the seed's
-- paid step) until refunded, paid in full. So the workspace's order list,
-- numbers and client figures include them. The agent's table stays the
-- source: the mirror is written by the database only.
create function private.mirror_agent_order()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  ag public.agents;
  cust_phone text;
  cname text;
  contact uuid;
  mirrored uuid;
  wanted text[];
begin
  select * into ag from public.agents a where a.id = tg_argv[0]::bigint;
  perform set_config('threadline.order_mirror', 'on', true);
  if tg_op = 'DELETE' then
    delete from public.orders o where o.agent_id = ag.id and o.agent_order_id = old.id;
  else
    execute format('select c.phone, c.name from public.%I c where c.id = $1', private.agent_table_name(ag.id, 'customers'))
      into cust_phone, cname using new.customer_id;
    insert into public.contacts (workspace_id, name, phone, source, added_by)
    values (ag.workspace_id, cname, ltrim(cust_phone, '+'), 'agent', ag.user_id)
    on conflict (workspace_id, phone) where phone is not null do nothing;
    select c.id into contact from public.contacts c where c.workspace_id = ag.workspace_id and c.phone = ltrim(cust_phone, '+');
    select o.id into mirrored from public.orders o where o.agent_id = ag.id and o.agent_order_id = new.id;
    if mirrored is null then
      insert into public.orders (workspace_id, contact_id, title, customer_name, order_date, source, agent_id, agent_order_id,
                                 notes, created_by)
      values (ag.workspace_id, contact, format('Order %s of agent %s', new.id, ag.name), cname,
              coalesce(new.created_at, localtimestamp) at time zone 'UTC', 'agent', ag.id, new.id, new.notes, ag.user_id)
      returning id into mirrored;
    end if;
    execute format($q$select array_agg((i.name, i.quantity, round(i.price, 2))::text order by i.id) from public.%I i
                      where i.order_id = $1$q$, private.agent_table_name(ag.id, 'orders_items'))
      into wanted using new.id;
    if wanted is distinct from (select array_agg((i.item_name, i.quantity, i.unit_price)::text order by i.created_at, i.id)
                                  from public.order_items i where i.order_id = mirrored) then
      -- Paid in full is set again below; meanwhile the total may drop.
      update public.orders o set amount_paid = 0 where o.id = mirrored and o.amount_paid <> 0;
      delete from public.order_items i where i.order_id = mirrored;
      execute format($q$insert into public.order_items (order_id, workspace_id, item_name, quantity, unit_price)
                        select $1, $2, i.name, i.quantity, round(i.price, 2) from public.%I i where i.order_id = $3 order by i.id$q$,
                     private.agent_table_name(ag.id, 'orders_items'))
        using mirrored, ag.workspace_id, new.id;
    end if;
    update public.orders o
       set contact_id = contact, customer_name = cname, notes = new.notes,
           status = case new.status when 'pending' then 'pending' when 'delivered' then 'completed'
                                    when 'cancelled' then 'cancelled' when 'refunded' then 'cancelled'
                                    else 'in-progress' end::public.work_order_status,
           amount_paid = case when new.status in ('confirmed', 'processing', 'shipped', 'delivered') then o.total_amount else 0 end
     where o.id = mirrored;
  end if;
  perform set_config('threadline.order_mirror', '', true);
  return null;
end
$$;

-- A mapping names an approved UTILITY template of the workspace, and its
-- parameters fit the template (checked with a sample order).
create function private.check_order_status_template()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.require_writer(new.workspace_id, 'admin', 'order_status_templates');
  perform private.check_notice_template(new.workspace_id, new.template_id, 'order', private.order_template_params(
    new.parameters, jsonb_populate_record(null::public.orders, jsonb_build_object(
      'workspace_id', new.workspace_id, 'order_number', 'ORD-00001', 'title', 'Sample', 'customer_name', 'Customer',
      'status', new.status, 'currency', 'USD', 'total_amount', 1, 'amount_paid', 0, 'balance_due', 1,
      'due_date', now()))));
  return new;
end
$$;

-- A notice's template (order, invoice: what) is an approved UTILITY
-- template of the workspace, and the parameters (tokens filled with a
-- sample) fit it. An invoice's template may have a DOCUMENT header: the
-- invoice's PDF goes in it.
create function private.check_notice_template(ws uuid, template uuid, what text, sample_params jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  tpl public.message_templates;
begin
  select * into tpl from public.message_templates t where t.id = template and t.workspace_id = ws;
  if not found then
    raise exception 'template not found in this workspace' using errcode = 'P0002';
  end if;
  if tpl.category <> 'UTILITY' then
    raise exception '% notices use UTILITY templates; "%" is %', what, tpl.name, tpl.category using errcode = '22023';
  end if;
  if tpl.status <> 'APPROVED' then
    raise exception 'template "%" (%) is %, only approved templates can be sent', tpl.name, tpl.language, tpl.status
      using errcode = '55000';
  end if;
  -- An invoice notice's DOCUMENT header is the invoice's own PDF.
  perform private.check_template_params(tpl.components, sample_params,
    what = 'invoice' and upper(coalesce(private.template_component(tpl.components, 'HEADER') ->> 'format', '')) = 'DOCUMENT');
end
$$;

-- Timeline ----------------------------------------------------------------------------

-- A contact's history newest first: interactions (those the database logs
-- for orders taken and payments too), orders, their later status changes,
-- WhatsApp conversations (at their last message). One statement under the
-- caller's RLS; each branch reads its own (contact, time) index up to one
-- page (status changes through the contact's orders), so a page costs about
-- the same however long the history. Keyset: the last row's at and id.
create function public.contact_timeline(contact_id uuid, before_at timestamptz default null, before_id uuid default null,
                                        max_rows integer default 50)
returns table (kind text, id uuid, at timestamptz, title text, detail jsonb)
language sql stable security invoker set search_path = ''
as $$
  with page as (
    select least(greatest(coalesce(max_rows, 50), 1), 200) as n,
           coalesce(before_at, 'infinity'::timestamptz) as at,
           coalesce(before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) as id
  )
  select t.kind, t.id, t.at, t.title, t.detail
    from (
      (select 'interaction' as kind, i.id, i.occurred_at as at, coalesce(i.subject, i.interaction_type::text) as title,
              jsonb_strip_nulls(jsonb_build_object('type', i.interaction_type, 'description', i.description,
                                                   'user_id', i.user_id, 'metadata', i.metadata)) as detail
         from public.client_interactions i, page p
        where i.contact_id = contact_timeline.contact_id and (i.occurred_at, i.id) < (p.at, p.id)
        order by i.occurred_at desc, i.id desc
        limit (select n from page))
      union all
      (select 'order', o.id, o.order_date, o.order_number || ': ' || o.title,
              jsonb_strip_nulls(jsonb_build_object('status', o.status, 'currency', o.currency, 'total_amount', o.total_amount,
                                                   'amount_paid', o.amount_paid, 'payment_status', o.payment_status,
                                                   'due_date', o.due_date))
         from public.orders o, page p
        where o.contact_id = contact_timeline.contact_id and (o.order_date, o.id) < (p.at, p.id)
        order by o.order_date desc, o.id desc
        limit (select n from page))
      union all
      (select 'order_status', s.id, s.changed_at, format('Order %s %s', o.order_number, s.to_status),
              jsonb_strip_nulls(jsonb_build_object('order_id', o.id, 'from_status', s.from_status, 'to_status', s.to_status,
                                                   'changed_by', s.changed_by, 'message_id', s.message_id,
                                                   'message_error', s.message_error))
         from public.order_status_changes s
         join public.orders o on o.id = s.order_id and o.workspace_id = s.workspace_id, page p
        where o.contact_id = contact_timeline.contact_id and s.from_status is not null
          and (s.changed_at, s.id) < (p.at, p.id)
        order by s.changed_at desc, s.id desc
        limit (select n from page))
      union all
      (select 'conversation', c.id, coalesce(c.last_message_at, c.created_at), 'WhatsApp #' || c.display_id,
              jsonb_strip_nulls(jsonb_build_object('channel_id', c.channel_id, 'status', c.status,
                                                   'last_message', c.last_message_preview,
                                                   'direction', c.last_message_direction, 'unread', c.unread_count))
         from public.conversations c, page p
        where c.contact_id = contact_timeline.contact_id
          and (coalesce(c.last_message_at, c.created_at), c.id) < (p.at, p.id)
        order by coalesce(c.last_message_at, c.created_at) desc, c.id desc
        limit (select n from page))
    ) t
   order by t.at desc, t.id desc
   limit (select n from page)
$$;
comment on function public.contact_timeline(uuid, timestamptz, uuid, integer) is
  'A contact''s interactions, orders, order status changes and WhatsApp conversations, newest first, max_rows (1-200, default 50) per page; the next page starts before the last row''s (at, id). Reads under the caller''s RLS.';

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.inventory_items
  for each row execute function private.set_updated_at();
create trigger guard_inventory_stock before insert or update of current_stock on public.inventory_items
  for each row execute function private.guard_inventory_stock();
create trigger record_opening_stock after insert on public.inventory_items
  referencing new table as inserted for each statement execute function private.record_opening_stock();
create trigger notify_low_stock after update of current_stock, min_stock_level on public.inventory_items
  for each row when (old.current_stock > old.min_stock_level and new.current_stock <= new.min_stock_level)
  execute function private.notify_low_stock();
create trigger audit after insert or update of name, sku, min_stock_level, max_stock_level, cost_price, selling_price
  or delete on public.inventory_items for each row execute function private.audit_change('inventory_item');

create trigger apply_inventory_movement before insert on public.inventory_movements
  for each row execute function private.apply_inventory_movement();
create trigger refuse_movement_change before update on public.inventory_movements
  for each row execute function private.refuse_movement_change();

create trigger prepare_order before insert or update on public.orders
  for each row execute function private.prepare_order();
create trigger guard_order_delete before delete on public.orders
  for each row execute function private.guard_order_delete();
create trigger order_created after insert on public.orders
  for each row execute function private.order_status_moved();
create trigger order_status_moved after update of status on public.orders
  for each row when (old.status is distinct from new.status) execute function private.order_status_moved();
create trigger order_paid after update of amount_paid on public.orders
  for each row when (old.amount_paid is distinct from new.amount_paid) execute function private.order_paid();
create trigger order_contact_figures_insert after insert on public.orders for each row
  when (new.contact_id is not null and new.status <> 'cancelled') execute function private.order_contact_figures();
create trigger order_contact_figures_update after update of contact_id, amount_paid, order_date, status on public.orders
  for each row when ((old.contact_id, old.amount_paid, old.order_date, old.status = 'cancelled')
                     is distinct from (new.contact_id, new.amount_paid, new.order_date, new.status = 'cancelled'))
  execute function private.order_contact_figures();
create trigger order_contact_figures_delete after delete on public.orders for each row
  when (old.contact_id is not null and old.status <> 'cancelled') execute function private.order_contact_figures();
-- Status changes are not among the columns: order_status_changes is their
-- history (who, when, the notice sent), and an audit row per step would
-- repeat it.
create trigger audit after update of contact_id, title, due_date, priority, discount, tax_rate,
  amount_paid, assigned_to, cancel_reason or delete on public.orders
  for each row execute function private.audit_change('order');

create trigger prepare_order_item before insert or update or delete on public.order_items
  for each row execute function private.prepare_order_item();
create trigger order_items_inserted after insert on public.order_items
  referencing new table as new_items for each statement execute function private.order_items_changed();
create trigger order_items_updated after update on public.order_items
  referencing old table as old_items new table as new_items
  for each statement execute function private.order_items_changed();
create trigger order_items_deleted after delete on public.order_items
  referencing old table as old_items for each statement execute function private.order_items_changed();

create trigger set_updated_at before update on public.order_status_templates
  for each row execute function private.set_updated_at();
create trigger check_order_status_template before insert or update on public.order_status_templates
  for each row execute function private.check_order_status_template();
create trigger audit after insert or update or delete on public.order_status_templates
  for each row execute function private.audit_change('order_status_template');

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.inventory_items enable row level security;
alter table public.inventory_movements enable row level security;
alter table public.inventory_items alter column workspace_id set (n_distinct = 500);
alter table public.inventory_movements alter column workspace_id set (n_distinct = 500);

revoke all on public.inventory_items, public.inventory_movements from anon, authenticated;
grant select, delete on public.inventory_items to authenticated;
grant insert (id, workspace_id, name, sku, description, category, current_stock, min_stock_level, max_stock_level,
              cost_price, selling_price, unit, supplier_name, supplier_contact, image_url, tags)
  on public.inventory_items to authenticated;
grant update (name, sku, description, category, min_stock_level, max_stock_level, cost_price, selling_price, unit,
              supplier_name, supplier_contact, image_url, tags)
  on public.inventory_items to authenticated;
grant select on public.inventory_movements to authenticated;
grant insert (inventory_item_id, workspace_id, movement_type, quantity, reference_type, reference_id, notes)
  on public.inventory_movements to authenticated;

-- Everyone in the workspace sees stock; admins manage the catalogue and its
-- levels; members record movements (a delivery in, goods out).
create policy inventory_items_select on public.inventory_items for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy inventory_items_insert on public.inventory_items for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy inventory_items_update on public.inventory_items for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy inventory_items_delete on public.inventory_items for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy inventory_movements_select on public.inventory_movements for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy inventory_movements_insert on public.inventory_movements for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

revoke all on function private.apply_inventory_movement(), private.guard_inventory_stock(),
  private.record_opening_stock(), private.refuse_movement_change(),
  private.notify_low_stock() from public;

alter table public.orders enable row level security;
alter table public.order_items enable row level security;
alter table public.order_status_changes enable row level security;
alter table public.order_status_templates enable row level security;
alter table public.orders alter column workspace_id set (n_distinct = 500);
alter table public.order_items alter column workspace_id set (n_distinct = 500);
alter table public.order_status_changes alter column workspace_id set (n_distinct = 500);
alter table public.order_status_templates alter column workspace_id set (n_distinct = 500);

revoke all on public.orders, public.order_items, public.order_status_changes, public.order_status_templates
  from anon, authenticated;
revoke all on private.workspace_counters from anon, authenticated;

-- Members take and work orders; admins remove them. Numbers, totals,
-- currency and the status timestamps are the database's; amount_paid is the
-- ledger's (public.record_payment / record_refund, finance module).
grant select, delete on public.orders to authenticated;
grant insert (id, workspace_id, contact_id, title, description, customer_name, customer_email, customer_phone,
              order_date, due_date, priority, status, discount, tax_rate, deposit_amount, notes, source, assigned_to)
  on public.orders to authenticated;
grant update (contact_id, title, description, customer_name, customer_email, customer_phone, order_date, due_date,
              priority, status, discount, tax_rate, deposit_amount, notes, assigned_to, cancel_reason)
  on public.orders to authenticated;
grant select, delete on public.order_items to authenticated;
grant insert (id, order_id, workspace_id, inventory_item_id, item_name, item_description, quantity, unit_price)
  on public.order_items to authenticated;
grant update (inventory_item_id, item_name, item_description, quantity, unit_price) on public.order_items to authenticated;
grant select on public.order_status_changes to authenticated;
grant select, delete on public.order_status_templates to authenticated;
grant insert (id, workspace_id, status, template_id, parameters, is_active) on public.order_status_templates to authenticated;
grant update (template_id, parameters, is_active) on public.order_status_templates to authenticated;

create policy orders_select on public.orders for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy orders_insert on public.orders for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy orders_update on public.orders for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy orders_delete on public.orders for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy order_items_select on public.order_items for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy order_items_insert on public.order_items for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy order_items_update on public.order_items for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy order_items_delete on public.order_items for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy order_status_changes_select on public.order_status_changes for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy order_status_templates_select on public.order_status_templates for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy order_status_templates_insert on public.order_status_templates for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy order_status_templates_update on public.order_status_templates for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy order_status_templates_delete on public.order_status_templates for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

alter publication supabase_realtime add table public.orders;

revoke all on function private.next_gapless_number(uuid, text), private.format_order_number(text, bigint, timestamptz, text),
  private.order_next_statuses(public.work_order_status), private.prepare_order(), private.guard_order_delete(),
  private.prepare_order_item(), private.order_items_changed(), private.move_order_stock(public.orders, public.work_order_status),
  private.send_order_notice(public.orders), private.order_template_params(jsonb, public.orders),
  private.send_client_notice(uuid, uuid, uuid, jsonb, text, uuid, text, text), private.fill_template_tokens(jsonb, jsonb),
  private.check_notice_template(uuid, uuid, text, jsonb),
  private.order_event_data(public.orders), private.order_status_moved(), private.order_paid(),
  private.order_contact_figures(),
  private.add_to_subtotals(private.amount_change[]), private.check_order_status_template(),
  private.mirror_agent_order(), private.log_order_interaction(public.orders, public.interaction_type, text, jsonb)
  from public;
revoke all on function public.contact_timeline(uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.contact_timeline(uuid, timestamptz, uuid, integer) to authenticated, service_role;
