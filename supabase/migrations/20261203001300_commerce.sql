-- Module: commerce
--
-- What a business sells and keeps in stock (seed 004 Inventory). Built so
-- far: inventory items and their movements. Orders, interactions and
-- measurements (the rest of issue 20) will join this module.
--
-- Stock. An item's current_stock changes only through inventory_movements:
-- a movement locks its item, the database fills in previous_stock and
-- new_stock and moves the item in the same statement, so two movements of
-- one item never lose an update and a last unit is sold once. Stock never
-- goes below zero unless the workspace allows backorders. The item's
-- status follows its level; going from above min_stock_level to at or
-- below it tells the workspace's admins, once per crossing.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.inventory_status as enum ('in-stock', 'low-stock', 'out-of-stock');
create type public.inventory_movement_type as enum ('stock-in', 'stock-out', 'adjustment', 'return');

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
  cost_price numeric(12, 2) check (cost_price >= 0),
  selling_price numeric(12, 2) check (selling_price >= 0),
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

-- ==========================================================================
-- Functions
-- ==========================================================================

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
  delta integer;
  backorders boolean;
begin
  perform private.require_writer(new.workspace_id, 'member', 'inventory_movements');
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
