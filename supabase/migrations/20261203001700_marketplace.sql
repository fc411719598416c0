-- Module: marketplace
--
-- The public side of a workspace's catalogue (seed 004 Marketplace):
-- products anyone may browse, customers' purchases becoming the seller's
-- orders, reviews, helpful votes and likes.
--
-- Visibility. A published product, its reviews and its counters are public
-- (anon included); drafts and archived products only their workspace's
-- members see. Likes and helpful votes are read by their own user only:
-- who liked what is nobody else's business, the counts are public.
--
-- Products. draft -> published -> archived (archived -> published again to
-- relist; back to draft never once published). Stock is the linked
-- inventory item's current_stock, mirrored onto stock_quantity in the
-- statement that moves it; a product without an item keeps its own
-- stock_quantity (null: made to order, never short). Customisation options
-- are a small documented JSON shape (private.check_product_options), a
-- buyer's choices are checked against it (private.check_customisations).
--
-- Buying. buy_product (private code behind the public wrapper) checks the
-- caller and the product before it locks or reveals anything (an
-- unpublished product is "not found", as an unknown one), then writes on
-- the buyer's behalf (threadline.on_behalf)
-- through commerce's own path: the buyer becomes a contact of the seller's
-- workspace (matched by phone, then email, as inbound WhatsApp matches by
-- phone), an order with one item is made and moved in-progress at once,
-- which takes linked stock out through inventory movements exactly as any
-- order does, so a last unit is sold once; a product's own stock is taken
-- under its row lock. Cancelling the order returns both. The seller's
-- members are notified. The buyer reads their purchases through
-- public.my_purchases and nothing else of the seller's workspace.
--
-- Counters. likes_count, review_count, rating and sales_count move by
-- delta rows (public.product_counter_deltas) that statement-level triggers
-- insert: a burst of likes on one product inserts rows and never waits for
-- the product's row. The minute tick folds them into the product row
-- (private.fold_product_counters). The table's columns are therefore the
-- folded figures (at most a minute behind); the view marketplace_listings
-- (and browse_products, which returns its rows) adds what is pending, in
-- the same snapshot, so its figures are exact as soon as a statement
-- commits. Views are rows inserted into the unlogged public.product_views
-- (one cheap insert, no WAL, no lock on the product), folded the same way;
-- losing a minute of views in a crash is acceptable for a view count.
--
-- Anon reads through tables and a security invoker view, never through
-- private code (anon executes nothing in private): the marketplace's
-- tables are the only ones with policies for anon.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.product_status as enum ('draft', 'published', 'archived');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.marketplace_products (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  seller_id uuid default auth.uid() references public.profiles (id) on delete set null,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  description text check (char_length(description) <= 5000),
  category text not null check (category ~ '^[a-z0-9][a-z0-9-]{0,49}$'),
  price numeric(12, 2) not null check (price >= 0),
  -- Null on the way in means the workspace's currency; never null once stored.
  currency text check (currency is not null and currency ~ '^[A-Z]{3}$'),
  images text[] not null default '{}' check (cardinality(images) <= 10),
  tags text[] not null default '{}' check (cardinality(tags) <= 20),
  available_regions text[] not null default '{}' check (cardinality(available_regions) <= 100),
  inventory_item_id uuid references public.inventory_items (id) on delete set null,
  stock_quantity integer check (stock_quantity >= 0 or inventory_item_id is not null),
  customization_options jsonb not null default '[]'::jsonb,
  is_customizable boolean not null generated always as (jsonb_array_length(customization_options) > 0) stored,
  status public.product_status not null default 'draft',
  published_at timestamptz,
  archived_at timestamptz,
  views_count bigint not null default 0,
  likes_count integer not null default 0,
  sales_count integer not null default 0,
  rating numeric(3, 2) not null default 0,
  rating_total bigint not null default 0,
  review_count integer not null default 0,
  search tsvector not null generated always as (
    private.message_words(title || ' ' || coalesce(description, '') || ' ' || category)) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (status = 'draft' or published_at is not null)
);
comment on table public.marketplace_products is 'What a workspace offers on the marketplace (seed 004 marketplace_products). Published ones are public, anon included; drafts and archived ones only the workspace sees. Counters are the database''s.';
comment on column public.marketplace_products.workspace_id is 'The selling workspace.';
comment on column public.marketplace_products.seller_id is 'The member who listed it (set by the database); null once that person is deleted.';
comment on column public.marketplace_products.title is 'The product''s name, 1-200 characters.';
comment on column public.marketplace_products.description is 'What it is, up to 5,000 characters; searched with the title.';
comment on column public.marketplace_products.category is 'A lower-case slug (e.g. dresses, alterations) that browsing filters on.';
comment on column public.marketplace_products.price is 'Price of one unit in currency.';
comment on column public.marketplace_products.currency is 'ISO 4217 code; the workspace''s currency when not given. A product sells only in its workspace''s currency (orders carry it).';
comment on column public.marketplace_products.images is 'Up to 10 photos: names of files in the media bucket under this workspace''s folder (<workspace id>/...), readable by anyone once the product is published.';
comment on column public.marketplace_products.tags is 'Free tags, lower case; browsing filters on all given tags.';
comment on column public.marketplace_products.available_regions is 'ISO 3166-1 alpha-2 country codes (or ISO 3166-2 subdivisions, e.g. BR-SP) where it is sold; empty means everywhere.';
comment on column public.marketplace_products.inventory_item_id is 'The stocked item it is, if any: its stock is the item''s, and a purchase takes it out through inventory movements.';
comment on column public.marketplace_products.stock_quantity is 'Units available: the linked inventory item''s current_stock (kept by the database), otherwise the product''s own count, taken by purchases and returned when their order is cancelled; null means made to order.';
comment on column public.marketplace_products.customization_options is 'What a buyer chooses: [{"name", "label"?, "type": "choice"|"text"|"number", "choices"? (choice), "required"?, "min"?, "max"? (text length or number value)}], checked when saved.';
comment on column public.marketplace_products.is_customizable is 'Whether it has customisation options.';
comment on column public.marketplace_products.status is 'draft -> published -> archived; archived -> published relists it. A published product never goes back to draft.';
comment on column public.marketplace_products.published_at is 'When it was (last) published, set by the database (an import by the service may give it); browsing sorts newest first by it.';
comment on column public.marketplace_products.archived_at is 'When it was archived, set by the database.';
comment on column public.marketplace_products.views_count is 'Views (rows inserted into product_views), folded in by the minute tick.';
comment on column public.marketplace_products.likes_count is 'Likes, folded in by the minute tick; marketplace_listings gives the exact figure.';
comment on column public.marketplace_products.sales_count is 'Units bought on the marketplace in orders not cancelled, folded in by the minute tick; exact through marketplace_listings.';
comment on column public.marketplace_products.rating is 'Average review rating (0 without reviews), from rating_total / review_count.';
comment on column public.marketplace_products.rating_total is 'Sum of all review ratings, so the average stays exact.';
comment on column public.marketplace_products.review_count is 'Reviews, folded in by the minute tick; exact through marketplace_listings.';
comment on column public.marketplace_products.search is 'Words of title, description and category as text search compares them (unaccented, lower case), for browse_products.';

create table public.product_reviews (
  id uuid primary key default private.uuid7(),
  product_id uuid not null references public.marketplace_products (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  review_text text check (char_length(review_text) <= 4000),
  images text[] not null default '{}' check (cardinality(images) <= 5),
  verified_purchase boolean not null default false,
  helpful_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (product_id, user_id)
);
comment on table public.product_reviews is 'One review per person per product (seed 004 product_reviews), never by members of the selling workspace. Public while the product is.';
comment on column public.product_reviews.product_id is 'The product reviewed (published when the review was written).';
comment on column public.product_reviews.user_id is 'Who wrote it (the signed-in user).';
comment on column public.product_reviews.rating is '1 to 5 stars.';
comment on column public.product_reviews.review_text is 'What they say, up to 4,000 characters.';
comment on column public.product_reviews.images is 'Up to 5 photos: files the reviewer uploaded to the media bucket under one of their own workspaces where they are a member or above (<workspace id>/uploads/...); public with the review.';
comment on column public.product_reviews.verified_purchase is 'Set by the database: the reviewer bought the product on the marketplace.';
comment on column public.product_reviews.helpful_count is 'Helpful votes (product_review_votes), kept by the database.';

create table public.product_review_votes (
  review_id uuid not null references public.product_reviews (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (review_id, user_id)
);
comment on table public.product_review_votes is 'A person finding a review helpful: one vote per person per review, never on their own. Read by its own user only.';
comment on column public.product_review_votes.review_id is 'The review found helpful.';
comment on column public.product_review_votes.user_id is 'Who voted (the signed-in user).';

create table public.product_likes (
  id uuid primary key default private.uuid7(),
  product_id uuid not null references public.marketplace_products (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  unique (product_id, user_id)
);
comment on table public.product_likes is 'A person liking a published product (seed 004 product_likes), one per person. Read by its own user only; the count is public.';
comment on column public.product_likes.product_id is 'The product liked (published).';
comment on column public.product_likes.user_id is 'Who liked it (the signed-in user).';

-- Counter changes not yet folded into their products. No foreign key (see
-- private.forget_product_counters).
create table public.product_counter_deltas (
  id bigint generated always as identity primary key,
  product_id uuid not null,
  likes integer not null default 0,
  reviews integer not null default 0,
  rating_total integer not null default 0,
  sales integer not null default 0
);
comment on table public.product_counter_deltas is 'Changes of products'' counters, one row per product per statement, written by the database and folded into marketplace_products by the minute tick; marketplace_listings adds them. Readable with their product.';
comment on column public.product_counter_deltas.product_id is 'The product whose counters move.';
comment on column public.product_counter_deltas.likes is 'Likes added (negative: removed).';
comment on column public.product_counter_deltas.reviews is 'Reviews added (negative: removed).';
comment on column public.product_counter_deltas.rating_total is 'Change of the sum of ratings.';
comment on column public.product_counter_deltas.sales is 'Units sold (negative: an order cancelled).';

-- Unlogged: a view is one cheap insert, and a crash losing the last
-- minute's views costs nothing that matters.
create unlogged table public.product_views (
  id bigint generated always as identity primary key,
  product_id uuid not null,
  viewed_at timestamptz not null default now()
);
comment on table public.product_views is 'One row per view of a published product (anyone inserts, anon included; nobody reads), folded into views_count by the minute tick. Unlogged: lost in a crash.';
comment on column public.product_views.product_id is 'The product viewed (published).';
comment on column public.product_views.viewed_at is 'When (set by default; the fold only counts).';

-- What a marketplace purchase was, for the buyer's list and for returning
-- a product's own stock when its order is cancelled.
create table private.marketplace_sales (
  order_id uuid primary key references public.orders (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  product_id uuid references public.marketplace_products (id) on delete set null,
  buyer_id uuid not null references public.profiles (id) on delete cascade,
  quantity integer not null,
  customisations jsonb not null default '{}'::jsonb,
  region text,
  own_stock boolean not null,
  created_at timestamptz not null default now()
);
comment on table private.marketplace_sales is 'Orders made by marketplace purchases: who bought which product, with what choices.';
comment on column private.marketplace_sales.buyer_id is 'The signed-in person who bought (not a member of the workspace).';
comment on column private.marketplace_sales.customisations is 'Their choices, as checked against the product''s options.';
comment on column private.marketplace_sales.own_stock is 'Whether the sale took the product''s own stock_quantity (given back when the order is cancelled).';

-- ==========================================================================
-- Indexes
-- ==========================================================================

-- Browsing walks newest first among published products, by category when
-- given; text, tags and images go through GIN.
create index marketplace_products_published_idx on public.marketplace_products (published_at desc, id desc)
  where status = 'published';
create index marketplace_products_category_idx on public.marketplace_products (category, published_at desc, id desc)
  where status = 'published';
create index marketplace_products_search_idx on public.marketplace_products using gin (search) where status = 'published';
create index marketplace_products_tags_idx on public.marketplace_products using gin (tags) where status = 'published';
create index marketplace_products_images_idx on public.marketplace_products using gin (images) where status = 'published';
create index marketplace_products_workspace_idx on public.marketplace_products (workspace_id, created_at desc);
create index marketplace_products_seller_idx on public.marketplace_products (seller_id) where seller_id is not null;
create index marketplace_products_inventory_idx on public.marketplace_products (inventory_item_id)
  where inventory_item_id is not null;
create index product_reviews_product_idx on public.product_reviews (product_id, created_at desc, id desc);
create index product_reviews_user_idx on public.product_reviews (user_id);
create index product_reviews_images_idx on public.product_reviews using gin (images);
create index product_review_votes_user_idx on public.product_review_votes (user_id);
create index product_likes_user_idx on public.product_likes (user_id, created_at desc);
create index product_counter_deltas_product_idx on public.product_counter_deltas (product_id);
create index product_views_product_idx on public.product_views (product_id);
create index marketplace_sales_buyer_idx on private.marketplace_sales (buyer_id, created_at desc, order_id desc);
create index marketplace_sales_workspace_idx on private.marketplace_sales (workspace_id);
create index marketplace_sales_product_idx on private.marketplace_sales (product_id, buyer_id) where product_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Options ------------------------------------------------------------------------------

-- The options document: an array of at most 20 options, each
-- {"name": a key, "label"?: text, "type": "choice" | "text" | "number",
--  "choices"?: [distinct strings] (choice only, required there),
--  "required"?: boolean, "min"?/"max"?: numbers (text: length; number:
--  value; not for choice)}. Errors name the field.
create function private.check_product_options(opts jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  o jsonb;
  i integer := 0;
  f text;
  names text[] := '{}';
  bad text;
begin
  if jsonb_typeof(opts) is distinct from 'array' then
    raise exception 'customization_options: an array of options' using errcode = '22023',
      hint = '[{"name": "size", "type": "choice", "choices": ["S", "M", "L"], "required": true}]';
  elsif jsonb_array_length(opts) > 20 then
    raise exception 'customization_options: at most 20 options' using errcode = '22023';
  end if;
  for o in select e from jsonb_array_elements(opts) e loop
    f := format('customization_options[%s]', i);
    if jsonb_typeof(o) <> 'object' then
      raise exception '%: an object {name, type, ...}', f using errcode = '22023';
    end if;
    select string_agg(k, ', ') into bad from jsonb_object_keys(o) k
     where k not in ('name', 'label', 'type', 'choices', 'required', 'min', 'max');
    if bad is not null then
      raise exception '%: unknown key(s) %', f, bad using errcode = '22023',
        hint = 'an option has name, label, type, choices, required, min and max';
    end if;
    if coalesce(o ->> 'name', '') !~ '^[a-z][a-z0-9_]{0,39}$' then
      raise exception '%.name: a key of lower-case letters, digits and _ (up to 40), starting with a letter', f
        using errcode = '22023';
    elsif o ->> 'name' = any (names) then
      raise exception '%.name: "%" is already an option', f, o ->> 'name' using errcode = '22023';
    end if;
    names := names || (o ->> 'name');
    f := format('customization_options.%s', o ->> 'name');
    if o ? 'label' and (jsonb_typeof(o -> 'label') <> 'string' or char_length(o ->> 'label') not between 1 and 100) then
      raise exception '%.label: text of 1-100 characters', f using errcode = '22023';
    end if;
    if coalesce(o ->> 'type', '') not in ('choice', 'text', 'number') then
      raise exception '%.type: choice, text or number', f using errcode = '22023';
    end if;
    if o ? 'required' and jsonb_typeof(o -> 'required') <> 'boolean' then
      raise exception '%.required: true or false', f using errcode = '22023';
    end if;
    if o ->> 'type' = 'choice' then
      if jsonb_typeof(o -> 'choices') is distinct from 'array' or jsonb_array_length(o -> 'choices') not between 1 and 50
         or exists (select 1 from jsonb_array_elements(o -> 'choices') c
                     where jsonb_typeof(c) <> 'string' or char_length(c #>> '{}') not between 1 and 100)
         or (select count(distinct c) <> count(*) from jsonb_array_elements(o -> 'choices') c) then
        raise exception '%.choices: 1-50 distinct texts', f using errcode = '22023';
      elsif o ? 'min' or o ? 'max' then
        raise exception '%: min and max are for text and number options', f using errcode = '22023';
      end if;
    else
      if o ? 'choices' then
        raise exception '%.choices: only a choice option has choices', f using errcode = '22023';
      elsif o ? 'min' and jsonb_typeof(o -> 'min') <> 'number' or o ? 'max' and jsonb_typeof(o -> 'max') <> 'number' then
        raise exception '%: min and max are numbers', f using errcode = '22023';
      elsif (o ->> 'min')::numeric > (o ->> 'max')::numeric then
        raise exception '%: min % is more than max %', f, o ->> 'min', o ->> 'max' using errcode = '22023';
      end if;
    end if;
    i := i + 1;
  end loop;
  return opts;
end
$$;
comment on function private.check_product_options(jsonb) is
  'Checks a product''s customization_options (22023 naming the field) and returns them.';

-- A buyer's choices {name: value} against the options: every required one
-- given, nothing unknown, each value of its option's kind and bounds.
-- Returns them keyed in the options' order.
create function private.check_customisations(opts jsonb, chosen jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  o jsonb;
  v jsonb;
  f text;
  bad text;
  out jsonb := '{}'::jsonb;
begin
  chosen := coalesce(chosen, '{}'::jsonb);
  if jsonb_typeof(chosen) <> 'object' then
    raise exception 'customisations: an object {option name: value}' using errcode = '22023';
  end if;
  select string_agg(k, ', ') into bad from jsonb_object_keys(chosen) k
   where not exists (select 1 from jsonb_array_elements(opts) e where e ->> 'name' = k);
  if bad is not null then
    raise exception 'customisations.%: not an option of this product', split_part(bad, ', ', 1) using errcode = '22023',
      hint = coalesce('options: ' || (select string_agg(e ->> 'name', ', ') from jsonb_array_elements(opts) e), 'it has none');
  end if;
  for o in select e from jsonb_array_elements(opts) e loop
    f := 'customisations.' || (o ->> 'name');
    v := chosen -> (o ->> 'name');
    if v is null or v = 'null'::jsonb then
      if coalesce((o ->> 'required')::boolean, false) then
        raise exception '%: required', f using errcode = '22023',
          hint = case when o ->> 'type' = 'choice' then 'one of ' || (select string_agg(c #>> '{}', ', ')
                                                                      from jsonb_array_elements(o -> 'choices') c) end;
      end if;
      continue;
    end if;
    case o ->> 'type'
      when 'choice' then
        if not (o -> 'choices') @> jsonb_build_array(v) or jsonb_typeof(v) <> 'string' then
          raise exception '%: % is not one of %', f, v, (select string_agg(c #>> '{}', ', ') from jsonb_array_elements(o -> 'choices') c)
            using errcode = '22023';
        end if;
      when 'text' then
        if jsonb_typeof(v) <> 'string' then
          raise exception '%: a text', f using errcode = '22023';
        elsif char_length(v #>> '{}') < coalesce((o ->> 'min')::numeric, 0)
              or char_length(v #>> '{}') > coalesce((o ->> 'max')::numeric, 500) then
          raise exception '%: % to % characters', f, coalesce(o ->> 'min', '0'), coalesce(o ->> 'max', '500')
            using errcode = '22023';
        end if;
      else
        if jsonb_typeof(v) <> 'number' then
          raise exception '%: a number', f using errcode = '22023';
        elsif (v #>> '{}')::numeric < (o ->> 'min')::numeric or (v #>> '{}')::numeric > (o ->> 'max')::numeric then
          raise exception '%: % is outside %..%', f, v, coalesce(o ->> 'min', '-'), coalesce(o ->> 'max', '-')
            using errcode = '22023';
        end if;
    end case;
    out := out || jsonb_build_object(o ->> 'name', v);
  end loop;
  return out;
end
$$;
comment on function private.check_customisations(jsonb, jsonb) is
  'Checks a buyer''s choices against a product''s options (22023 naming the field) and returns them.';

-- Stored files named by a row: in the media bucket, under one of the
-- allowed workspace folders, present.
create function private.check_stored_images(paths text[], folders uuid[], field text)
returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  p text;
begin
  foreach p in array paths loop
    if not coalesce((storage.foldername(p))[1] = any (folders::text[]), false) or p ~ '(^|/)\.\.?(/|$)' or p !~ '^[^/]+/[^/]' then
      raise exception '%: % is not a file in %', field, p,
        case when cardinality(folders) = 1 then 'this workspace''s folder of the media bucket (' || folders[1] || '/...)'
             else 'the media bucket under one of your workspaces (<workspace id>/uploads/...)' end
        using errcode = '22023';
    end if;
    if not exists (select 1 from storage.objects o where o.bucket_id = 'media' and o.name = p) then
      raise exception '%: no file % in the media bucket', field, p using errcode = 'P0002', hint = 'upload it first';
    end if;
  end loop;
end
$$;

-- Products -----------------------------------------------------------------------------

create function private.product_next_statuses(s public.product_status)
returns public.product_status[]
language sql immutable set search_path = ''
as $$
  select case s when 'draft' then '{published}' when 'published' then '{archived}' else '{published}' end::public.product_status[]
$$;
comment on function private.product_next_statuses(public.product_status) is
  'Product workflow: draft -> published -> archived -> published (relist).';

-- A product as saved: the writer's role first (as RLS would refuse it),
-- then the options, images, regions, stock and status workflow. Counters
-- and stock move only in the database's own statements.
create function private.prepare_product()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  inv public.inventory_items;
  ws_currency text;
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'member', 'marketplace_products');
    if private.is_client() then
      new.seller_id := (select auth.uid());
    end if;
    new.created_at := now();
  elsif current_setting('threadline.product_counts', true) = 'on' then
    return new;  -- the fold or a stock mirror: nothing else changes
  end if;
  new.category := lower(btrim(new.category));
  new.tags := array(select distinct lower(btrim(t)) from unnest(new.tags) t where btrim(t) <> '' order by 1);
  new.available_regions := array(select distinct upper(btrim(r)) from unnest(new.available_regions) r order by 1);
  if exists (select 1 from unnest(new.available_regions) r where r !~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$') then
    raise exception 'available_regions: ISO 3166 codes such as BR or BR-SP, not %',
      (select string_agg(r, ', ') from unnest(new.available_regions) r where r !~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$')
      using errcode = '22023';
  end if;
  if exists (select 1 from unnest(new.tags) t where char_length(t) > 50) then
    raise exception 'tags: at most 50 characters each' using errcode = '22023';
  end if;
  if tg_op = 'INSERT' or new.customization_options is distinct from old.customization_options then
    perform private.check_product_options(new.customization_options);
  end if;
  if tg_op = 'INSERT' or new.images is distinct from old.images then
    perform private.check_stored_images(new.images, array[new.workspace_id], 'images');
  end if;
  if new.currency is null then
    select w.currency into ws_currency from public.workspaces w where w.id = new.workspace_id;
    new.currency := ws_currency;
  end if;
  if new.inventory_item_id is not null then
    if tg_op = 'INSERT' or new.inventory_item_id is distinct from old.inventory_item_id then
      select * into inv from public.inventory_items i where i.id = new.inventory_item_id and i.workspace_id = new.workspace_id;
      if not found then
        raise exception 'inventory item not found in this workspace' using errcode = 'P0002';
      end if;
      new.stock_quantity := inv.current_stock;
    elsif new.stock_quantity is distinct from old.stock_quantity then
      raise exception 'the stock of a product linked to an inventory item is the item''s' using errcode = '55000',
        hint = 'record an inventory movement, or unlink the item (inventory_item_id = null)';
    end if;
  elsif tg_op = 'UPDATE' and old.inventory_item_id is not null and new.stock_quantity is not distinct from old.stock_quantity then
    new.stock_quantity := null;  -- unlinked: made to order until a count is given
  end if;
  if tg_op = 'UPDATE' and (new.views_count, new.likes_count, new.sales_count, new.rating, new.rating_total, new.review_count)
     is distinct from (old.views_count, old.likes_count, old.sales_count, old.rating, old.rating_total, old.review_count) then
    raise exception 'product counters are the database''s' using errcode = '42501';
  end if;
  if tg_op = 'INSERT' then
    if new.status = 'archived' then
      raise exception 'a new product starts as draft or published, not archived' using errcode = '55000';
    end if;
    -- The service importing a catalogue keeps its publication dates.
    new.published_at := case when new.status <> 'published' then null
                             when private.is_client() then now() else coalesce(new.published_at, now()) end;
    new.archived_at := null;
  elsif new.status <> old.status then
    if not new.status = any (private.product_next_statuses(old.status)) then
      raise exception 'product "%" cannot go from % to %', old.title, old.status, new.status using errcode = '55000',
        hint = 'next: ' || array_to_string(private.product_next_statuses(old.status), ', ');
    end if;
    new.published_at := case when new.status = 'published' then now() else old.published_at end;
    new.archived_at := case when new.status = 'archived' then now() end;
  else
    new.published_at := old.published_at;
    new.archived_at := old.archived_at;
  end if;
  new.updated_at := case when tg_op = 'UPDATE' then now() else new.created_at end;
  return new;
end
$$;

-- A linked product's stock follows its item, in the statement that moved it.
create function private.mirror_product_stock()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform set_config('threadline.product_counts', 'on', true);
  update public.marketplace_products p set stock_quantity = new.current_stock
   where p.inventory_item_id = new.id and p.stock_quantity is distinct from new.current_stock;
  perform set_config('threadline.product_counts', 'off', true);
  return null;
end
$$;

-- Counters -------------------------------------------------------------------------------

-- A product deleted takes its pending counters along (no foreign key: a
-- key share lock per delta on a popular product's row is what the deltas
-- avoid).
create function private.forget_product_counters()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from public.product_counter_deltas d using old_rows o where d.product_id = o.id;
  return null;
end
$$;

create function private.count_likes()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.product_counter_deltas (product_id, likes)
    select n.product_id, count(*) from new_rows n group by n.product_id;
  else
    -- Not for a product being deleted (its likes go with it): its deltas
    -- would outlive it.
    insert into public.product_counter_deltas (product_id, likes)
    select o.product_id, -count(*) from old_rows o
     where exists (select 1 from public.marketplace_products p where p.id = o.product_id)
     group by o.product_id;
  end if;
  return null;
end
$$;

create function private.count_reviews()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- A trigger has the transition tables of its own event only.
  if tg_op = 'INSERT' then
    insert into public.product_counter_deltas (product_id, reviews, rating_total)
    select n.product_id, count(*), sum(n.rating) from new_rows n group by n.product_id;
  elsif tg_op = 'DELETE' then
    insert into public.product_counter_deltas (product_id, reviews, rating_total)
    select o.product_id, -count(*), -sum(o.rating) from old_rows o
     where exists (select 1 from public.marketplace_products p where p.id = o.product_id)
     group by o.product_id;
  else
    insert into public.product_counter_deltas (product_id, rating_total)
    select d.product_id, sum(d.r)
      from (select n.product_id, n.rating::integer as r from new_rows n
            union all
            select o.product_id, -o.rating::integer from old_rows o) d
     group by d.product_id
    having sum(d.r) <> 0;
  end if;
  return null;
end
$$;

-- Helpful votes go straight onto their review: votes on one review are not
-- a hot path worth a fold, and its row lock keeps the count exact.
create function private.count_review_votes()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform set_config('threadline.product_counts', 'on', true);
  if tg_op = 'INSERT' then
    update public.product_reviews r set helpful_count = r.helpful_count + d.n
      from (select n.review_id, count(*) as n from new_rows n group by n.review_id) d
     where r.id = d.review_id;
  else
    update public.product_reviews r set helpful_count = r.helpful_count - d.n
      from (select o.review_id, count(*) as n from old_rows o group by o.review_id) d
     where r.id = d.review_id;
  end if;
  perform set_config('threadline.product_counts', 'off', true);
  return null;
end
$$;

-- Every minute: pending deltas and buffered views into their products.
-- The deletes see only committed rows, and a concurrent fold waits for
-- this one and then finds them gone, so nothing is counted twice.
create function private.fold_product_counters()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  perform set_config('threadline.product_counts', 'on', true);
  with d as (delete from public.product_counter_deltas returning product_id, likes, reviews, rating_total, sales),
  v as (delete from public.product_views returning product_id),
  s as (select t.product_id, sum(t.likes) as likes, sum(t.reviews) as reviews, sum(t.rating_total) as rating_total,
               sum(t.sales) as sales, sum(t.views) as views
          from (select d.product_id, d.likes, d.reviews, d.rating_total, d.sales, 0 as views from d
                union all
                select v.product_id, 0, 0, 0, 0, 1 from v) t
         group by t.product_id)
  update public.marketplace_products p
     set likes_count = p.likes_count + s.likes, review_count = p.review_count + s.reviews,
         rating_total = p.rating_total + s.rating_total, sales_count = p.sales_count + s.sales,
         views_count = p.views_count + s.views,
         rating = case when p.review_count + s.reviews > 0
                       then round((p.rating_total + s.rating_total)::numeric / (p.review_count + s.reviews), 2) else 0 end
    from s
   where p.id = s.product_id;
  get diagnostics n = row_count;
  perform set_config('threadline.product_counts', 'off', true);
  return n;
end
$$;

-- Products as anyone may read them, their counters exact: the folded
-- figures plus what is pending, in the statement's snapshot. Security
-- invoker, so the products' policies decide the rows.
create view public.marketplace_listings with (security_invoker = true) as
  select p.id, p.workspace_id, p.seller_id, p.title, p.description, p.category, p.price, p.currency, p.images, p.tags,
         p.available_regions, p.inventory_item_id, p.stock_quantity, p.customization_options, p.is_customizable,
         p.status, p.published_at, p.archived_at, p.views_count,
         p.likes_count + coalesce(d.likes, 0)::integer as likes_count,
         p.sales_count + coalesce(d.sales, 0)::integer as sales_count,
         (case when p.review_count + coalesce(d.reviews, 0) > 0
               then round((p.rating_total + coalesce(d.rating_total, 0))::numeric / (p.review_count + coalesce(d.reviews, 0)), 2)
               else 0 end)::numeric(3, 2) as rating,
         p.review_count + coalesce(d.reviews, 0)::integer as review_count,
         p.created_at, p.updated_at
    from public.marketplace_products p
    left join lateral (select sum(x.likes) as likes, sum(x.reviews) as reviews, sum(x.rating_total) as rating_total,
                              sum(x.sales) as sales
                         from public.product_counter_deltas x where x.product_id = p.id) d on true;
comment on view public.marketplace_listings is 'Marketplace products with exact counters (what is pending added): the read path for shop fronts. As readable as the products: published ones by anyone, others by their workspace.';
comment on column public.marketplace_listings.likes_count is 'Likes, exact.';
comment on column public.marketplace_listings.sales_count is 'Units sold on the marketplace in orders not cancelled, exact.';
comment on column public.marketplace_listings.rating is 'Average rating, exact (0 without reviews).';
comment on column public.marketplace_listings.review_count is 'Reviews, exact.';
comment on column public.marketplace_listings.views_count is 'Views as of the last minute tick.';

-- Browsing -----------------------------------------------------------------------------------

-- Published products, newest first, filtered by what is given; the next
-- page starts after the last row's (published_at, id). The statement is
-- built from the filters given, so each call is planned for its own
-- filters (a generic plan with "x is null or ..." would walk everything).
-- Security invoker: anon and users read under the products' policies.
create function public.browse_products(
  search text default null,
  category text default null,
  region text default null,
  min_price numeric default null,
  max_price numeric default null,
  tags text[] default null,
  workspace_id uuid default null,
  after_published_at timestamptz default null,
  after_id uuid default null,
  max_rows integer default 20
)
returns setof public.marketplace_listings
language plpgsql stable security invoker set search_path = ''
as $$
declare
  q text := 'select p.id from public.marketplace_products p where p.status = ''published''';
  page uuid[];
begin
  if max_rows is null or max_rows not between 1 and 100 then
    raise exception 'max_rows: 1 to 100' using errcode = '22023';
  elsif (after_published_at is null) <> (after_id is null) then
    raise exception 'after_published_at and after_id go together (the last row''s)' using errcode = '22023';
  end if;
  if nullif(btrim(search), '') is not null then
    -- The stored words are unaccented and lower case (private.search);
    -- the query's are made alike with what anon may run.
    q := q || ' and p.search @@ websearch_to_tsquery(''pg_catalog.simple''::regconfig, extensions.unaccent($1))';
  end if;
  if category is not null then
    q := q || ' and p.category = lower($2)';
  end if;
  -- Region and price have no index: they filter the newest-first walk.
  -- Under RLS the planner keeps its statistics away from operators that are
  -- not leakproof (&&, >= on numeric) and guesses such a filter matches a
  -- row or two, so it plans a full scan and a sort (90 ms at 100,000
  -- products). Wrapped in coalesce it is guessed to match half the rows:
  -- the walk stops as soon as the page is full (2 ms).
  if region is not null or min_price is not null or max_price is not null then
    q := q || ' and coalesce(true';
    if region is not null then
      q := q || ' and (p.available_regions = ''{}'' or p.available_regions && array[upper($3), split_part(upper($3), ''-'', 1)])';
    end if;
    if min_price is not null then
      q := q || ' and p.price >= $4';
    end if;
    if max_price is not null then
      q := q || ' and p.price <= $5';
    end if;
    q := q || ', false)';
  end if;
  if cardinality(tags) > 0 then
    q := q || ' and p.tags @> (select array_agg(lower(t)) from unnest($6) t)';
  end if;
  if browse_products.workspace_id is not null then
    q := q || ' and p.workspace_id = $7';
  end if;
  if after_id is not null then
    q := q || ' and (p.published_at, p.id) < ($8, $9)';
  end if;
  q := 'select array(' || q || ' order by p.published_at desc, p.id desc limit $10)';
  execute q into page
    using search, category, region, min_price, max_price, tags, browse_products.workspace_id, after_published_at,
          after_id, max_rows;
  return query select l.* from unnest(page) with ordinality u(id, n) join public.marketplace_listings l on l.id = u.id
                order by u.n;
end
$$;
comment on function public.browse_products(text, text, text, numeric, numeric, text[], uuid, timestamptz, uuid, integer) is
  'Published products newest first (anyone, anon included), as marketplace_listings rows (exact counters), filtered by search (words of title, description, category; web-search syntax), category, region (a product sold there or everywhere), price range, tags (all of them) and workspace; max_rows 1-100 (default 20); the next page starts after the last row''s (published_at, id).';

-- Buying -----------------------------------------------------------------------------------

-- The buyer as a contact of the seller's workspace: the contact with their
-- phone (the one WhatsApp would match), else with their email, else a new
-- one. Missing name and email are filled in, nothing is overwritten.
create function private.marketplace_contact(ws uuid, buyer public.profiles)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_phone text := nullif(regexp_replace(coalesce(buyer.phone, ''), '[^0-9]', '', 'g'), '');
  v_name text := coalesce(nullif(btrim(buyer.full_name), ''), nullif(btrim(concat_ws(' ', buyer.first_name, buyer.last_name)), ''),
                        split_part(buyer.email, '@', 1));
  cid uuid;
begin
  if v_phone !~ '^[1-9][0-9]{6,14}$' then
    v_phone := null;
  end if;
  if v_phone is not null then
    insert into public.contacts (workspace_id, name, phone, email, source, added_by)
    values (ws, v_name, v_phone, buyer.email, 'marketplace', null)
    on conflict (workspace_id, phone) where phone is not null do nothing
    returning id into cid;
    if cid is null then
      select c.id into cid from public.contacts c where c.workspace_id = ws and c.phone = v_phone;
    end if;
  elsif buyer.email is not null then
    -- No unique key on email: two purchases of one buyer at once would
    -- both create a contact without this lock.
    perform pg_advisory_xact_lock(hashtextextended(ws::text || lower(buyer.email), 0));
    select c.id into cid from public.contacts c
     where c.workspace_id = ws and lower(c.email) = lower(buyer.email)
     order by c.created_at, c.id limit 1;
  end if;
  if cid is null then
    insert into public.contacts (workspace_id, name, email, source, added_by)
    values (ws, v_name, buyer.email, 'marketplace', null)
    returning id into cid;
  else
    update public.contacts c set name = coalesce(c.name, v_name), email = coalesce(c.email, buyer.email)
     where c.id = cid and (c.name is null or c.email is null);
  end if;
  return cid;
end
$$;

-- A signed-in person buys a published product of a workspace they are not
-- a member of. Everything about the product is checked before anything is
-- locked; an unpublished or unknown product is "not found" either way.
create function private.buy_product(product_id uuid, quantity integer, customisations jsonb, region text)
returns table (order_id uuid, order_number text, status public.work_order_status, total_amount numeric,
               currency text)
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
  p public.marketplace_products;
  buyer public.profiles;
  ws public.workspaces;
  chosen jsonb;
  contact uuid;
  o public.orders;
  taken integer;
begin
  if uid is null then
    raise exception 'sign in to buy' using errcode = '42501';
  end if;
  select * into p from public.marketplace_products x where x.id = buy_product.product_id and x.status = 'published';
  if not found then
    raise exception 'product not found' using errcode = 'P0002';
  end if;
  if private.has_workspace_role(p.workspace_id, 'viewer') then
    raise exception 'members of the selling workspace do not buy its products' using errcode = '42501',
      hint = 'take an order in the workspace instead';
  end if;
  if quantity is null or quantity not between 1 and 1000 then
    raise exception 'quantity: 1 to 1000' using errcode = '22023';
  end if;
  region := upper(btrim(region));
  if cardinality(p.available_regions) > 0 then
    if region is null then
      raise exception 'region: where it is delivered; "%" is sold in %', p.title, array_to_string(p.available_regions, ', ')
        using errcode = '22023';
    elsif not p.available_regions && array[region, split_part(region, '-', 1)] then
      raise exception 'region: "%" is not sold in %', p.title, region using errcode = '22023',
        hint = 'sold in ' || array_to_string(p.available_regions, ', ');
    end if;
  end if;
  chosen := private.check_customisations(p.customization_options, customisations);
  select * into ws from public.workspaces w where w.id = p.workspace_id;
  if p.currency <> ws.currency then
    raise exception '"%" is priced in % but its seller sells in %', p.title, p.currency, ws.currency using errcode = '55000',
      hint = 'the seller needs to price it in ' || ws.currency;
  end if;
  select * into buyer from public.profiles x where x.id = uid;

  perform set_config('threadline.on_behalf', 'on', true);
  -- A product's own stock, under its row lock: a last unit is sold once.
  if p.inventory_item_id is null and p.stock_quantity is not null then
    perform set_config('threadline.product_counts', 'on', true);
    update public.marketplace_products x set stock_quantity = x.stock_quantity - buy_product.quantity
     where x.id = p.id and x.stock_quantity >= buy_product.quantity;
    get diagnostics taken = row_count;
    perform set_config('threadline.product_counts', 'off', true);
    if taken = 0 then
      raise exception 'not enough stock of "%": % left, % requested', p.title,
        (select x.stock_quantity from public.marketplace_products x where x.id = p.id), quantity using errcode = '23514';
    end if;
  end if;
  contact := private.marketplace_contact(ws.id, buyer);
  insert into public.orders (workspace_id, contact_id, title, source, notes)
  values (ws.id, contact, left('Marketplace: ' || p.title, 200), 'marketplace',
          case when chosen <> '{}'::jsonb then 'Customisations: ' || (select string_agg(k || ' = ' || (chosen ->> k), '; ')
                                                                       from jsonb_object_keys(chosen) k) end)
  returning * into o;
  insert into public.order_items (order_id, workspace_id, inventory_item_id, item_name, item_description, quantity, unit_price)
  values (o.id, ws.id, p.inventory_item_id, left(p.title, 200),
          case when chosen <> '{}'::jsonb then left((select string_agg(k || ': ' || (chosen ->> k), ', ')
                                                       from jsonb_object_keys(chosen) k), 2000) end,
          quantity, p.price);
  -- In progress at once: commerce takes linked stock out now, as for any
  -- order started, refusing when it is short.
  update public.orders x set status = 'in-progress' where x.id = o.id returning * into o;
  insert into private.marketplace_sales (order_id, workspace_id, product_id, buyer_id, quantity, customisations, region,
                                         own_stock)
  values (o.id, ws.id, p.id, uid, quantity, chosen, region, p.inventory_item_id is null and p.stock_quantity is not null);
  insert into public.product_counter_deltas (product_id, sales) values (p.id, quantity);
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select m.user_id, ws.id, 'marketplace_order', 'Marketplace order ' || o.order_number,
         format('%s bought %s x %s (%s %s).', o.customer_name, quantity, p.title, o.total_amount, o.currency),
         '/orders/' || o.id, 'order', o.id
    from public.workspace_members m
   where m.workspace_id = ws.id and m.status = 'active' and m.role >= 'member';
  perform set_config('threadline.on_behalf', 'off', true);
  return query select o.id, o.order_number, o.status, o.total_amount, o.currency;
end
$$;
create function public.buy_product(product_id uuid, quantity integer default 1, customisations jsonb default null,
                                   region text default null)
returns table (order_id uuid, order_number text, status public.work_order_status, total_amount numeric,
               currency text)
language sql volatile security invoker set search_path = ''
as $$
  select * from private.buy_product(product_id, quantity, customisations, region)
$$;
comment on function public.buy_product(uuid, integer, jsonb, text) is
  'A signed-in person who is not a member of the selling workspace buys quantity (1-1000) of a published product, with customisations checked against its options and a region where it is sold: an order in the seller''s workspace, in progress (stock taken), with the buyer as its client contact; the seller''s members are notified.';

-- Cancelling a marketplace order gives back what the sale took: the
-- product's own stock and its sales_count (commerce returns linked stock).
create function private.marketplace_order_cancelled()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  s private.marketplace_sales;
begin
  select * into s from private.marketplace_sales x where x.order_id = new.id;
  if not found or s.product_id is null then
    return null;
  end if;
  if s.own_stock then
    perform set_config('threadline.product_counts', 'on', true);
    update public.marketplace_products p set stock_quantity = p.stock_quantity + s.quantity
     where p.id = s.product_id and p.inventory_item_id is null and p.stock_quantity is not null;
    perform set_config('threadline.product_counts', 'off', true);
  end if;
  insert into public.product_counter_deltas (product_id, sales) values (s.product_id, -s.quantity);
  return null;
end
$$;

-- The caller's marketplace purchases, newest first: only what a buyer may
-- know of an order (its number, state and amounts), never the seller's
-- other data.
create function private.my_purchases(before_at timestamptz, before_order_id uuid, max_rows integer)
returns table (order_id uuid, order_number text, product_id uuid, product_title text, seller_name text, quantity integer,
               customisations jsonb, region text, status public.work_order_status, payment_status public.payment_status,
               total_amount numeric, amount_paid numeric, currency text, ordered_at timestamptz)
language sql stable security definer set search_path = ''
as $$
  select o.id, o.order_number, s.product_id, i.item_name, w.name, s.quantity, s.customisations, s.region, o.status,
         o.payment_status, o.total_amount, o.amount_paid, o.currency, s.created_at
    from private.marketplace_sales s
    join public.orders o on o.id = s.order_id
    join public.workspaces w on w.id = s.workspace_id
    left join lateral (select l.item_name from public.order_items l where l.order_id = o.id order by l.id limit 1) i on true
   where s.buyer_id = (select auth.uid())
     and (before_at is null or (s.created_at, s.order_id) < (before_at, before_order_id))
   order by s.created_at desc, s.order_id desc
   limit least(greatest(coalesce(max_rows, 20), 1), 100)
$$;
create function public.my_purchases(before_at timestamptz default null, before_order_id uuid default null,
                                    max_rows integer default 20)
returns table (order_id uuid, order_number text, product_id uuid, product_title text, seller_name text, quantity integer,
               customisations jsonb, region text, status public.work_order_status, payment_status public.payment_status,
               total_amount numeric, amount_paid numeric, currency text, ordered_at timestamptz)
language sql stable security invoker set search_path = ''
as $$
  select * from private.my_purchases(before_at, before_order_id, max_rows)
$$;
comment on function public.my_purchases(timestamptz, uuid, integer) is
  'The caller''s marketplace purchases newest first (max_rows 1-100, default 20; the next page starts before the last row''s (ordered_at, order_id)): order number, product, seller, status and amounts only.';

-- Reviews, votes, likes --------------------------------------------------------------------

-- A review of a published product by someone outside its workspace; its
-- photos are the reviewer's own uploads. verified_purchase says whether
-- they bought it here.
create function private.prepare_review()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  p public.marketplace_products;
begin
  if tg_op = 'INSERT' then
    if private.is_client() then
      new.user_id := (select auth.uid());
    end if;
    select * into p from public.marketplace_products x where x.id = new.product_id;
    if not found or p.status <> 'published' and not private.has_workspace_role(p.workspace_id, 'viewer') then
      raise exception 'product not found' using errcode = 'P0002';
    elsif exists (select 1 from public.workspace_members m
                   where m.workspace_id = p.workspace_id and m.user_id = new.user_id and m.status = 'active') then
      raise exception 'members of the selling workspace do not review its products' using errcode = '42501';
    elsif p.status <> 'published' then
      raise exception 'only a published product is reviewed' using errcode = '55000';
    end if;
    new.verified_purchase := exists (
      select 1 from private.marketplace_sales s join public.orders o on o.id = s.order_id
       where s.product_id = new.product_id and s.buyer_id = new.user_id and o.status <> 'cancelled');
    new.helpful_count := 0;
    new.created_at := now();
    new.updated_at := now();
  else
    if current_setting('threadline.product_counts', true) = 'on' then
      return new;  -- a helpful vote counted
    end if;
    if (new.product_id, new.user_id, new.verified_purchase, new.created_at, new.helpful_count)
       is distinct from (old.product_id, old.user_id, old.verified_purchase, old.created_at, old.helpful_count) then
      raise exception 'only rating, review_text and images of a review change' using errcode = '42501';
    end if;
    new.updated_at := now();
  end if;
  if tg_op = 'INSERT' or new.images is distinct from old.images then
    -- Their own uploads: a workspace where they are a member or above (a
    -- viewer reads its files, and does not make them public).
    perform private.check_stored_images(new.images, array(select m.workspace_id from public.workspace_members m
                                                         where m.user_id = new.user_id and m.status = 'active'
                                                           and m.role >= 'member'),
                                        'images');
  end if;
  return new;
end
$$;

create function private.check_review_vote()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  author uuid;
begin
  if private.is_client() then
    new.user_id := (select auth.uid());
  end if;
  select r.user_id into author from public.product_reviews r
    join public.marketplace_products p on p.id = r.product_id
   where r.id = new.review_id and (p.status = 'published' or private.has_workspace_role(p.workspace_id, 'viewer'));
  if not found then
    raise exception 'review not found' using errcode = 'P0002';
  elsif author = new.user_id then
    raise exception 'a review is not voted helpful by its own author' using errcode = '42501';
  end if;
  new.created_at := now();
  return new;
end
$$;

create function private.check_product_like()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if private.is_client() then
    new.user_id := (select auth.uid());
  end if;
  if not exists (select 1 from public.marketplace_products p where p.id = new.product_id and p.status = 'published') then
    raise exception 'product not found' using errcode = 'P0002',
      hint = 'only published products are liked';
  end if;
  new.created_at := now();
  return new;
end
$$;

-- Public faces (the social module's cards) ----------------------------------------

create function private.list_product_cards()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.list_cards(array[new.seller_id], array[new.workspace_id]);
  return null;
end
$$;

create function private.list_reviewer_card()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.list_cards(array[new.user_id], null);
  return null;
end
$$;

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger prepare_product before insert or update on public.marketplace_products
  for each row execute function private.prepare_product();
create trigger audit after insert or update of title, description, category, price, currency, images, tags, available_regions,
  inventory_item_id, customization_options, status or delete on public.marketplace_products
  for each row execute function private.audit_change('marketplace_product');
create trigger forget_product_counters after delete on public.marketplace_products
  referencing old table as old_rows for each statement execute function private.forget_product_counters();
create trigger mirror_product_stock after update of current_stock on public.inventory_items
  for each row when (old.current_stock is distinct from new.current_stock) execute function private.mirror_product_stock();
create trigger marketplace_order_cancelled after update of status on public.orders
  for each row when (new.source = 'marketplace' and new.status = 'cancelled' and old.status <> 'cancelled')
  execute function private.marketplace_order_cancelled();

create trigger prepare_review before insert or update on public.product_reviews
  for each row execute function private.prepare_review();
create trigger count_reviews_inserted after insert on public.product_reviews
  referencing new table as new_rows for each statement execute function private.count_reviews();
create trigger count_reviews_updated after update on public.product_reviews
  referencing old table as old_rows new table as new_rows for each statement execute function private.count_reviews();
create trigger count_reviews_deleted after delete on public.product_reviews
  referencing old table as old_rows for each statement execute function private.count_reviews();

create trigger check_review_vote before insert on public.product_review_votes
  for each row execute function private.check_review_vote();
create trigger count_review_votes_inserted after insert on public.product_review_votes
  referencing new table as new_rows for each statement execute function private.count_review_votes();
create trigger count_review_votes_deleted after delete on public.product_review_votes
  referencing old table as old_rows for each statement execute function private.count_review_votes();

-- A client's statement counts what one page showed (browse_products'
-- largest page is 100).
create trigger limit_product_views after insert on public.product_views
  referencing new table as new_rows for each statement execute function private.limit_counted_batch('product_id', '100');
create trigger check_product_like before insert on public.product_likes
  for each row execute function private.check_product_like();
create trigger count_likes_inserted after insert on public.product_likes
  referencing new table as new_rows for each statement execute function private.count_likes();
create trigger count_likes_deleted after delete on public.product_likes
  referencing old table as old_rows for each statement execute function private.count_likes();

-- A seller and its workspace get their public face with a published
-- product, a reviewer with a review (their name shows beside it).
create trigger marketplace_products_list_cards after insert or update of status on public.marketplace_products
  for each row when (new.status = 'published') execute function private.list_product_cards();
create trigger product_reviews_list_cards after insert on public.product_reviews
  for each row execute function private.list_reviewer_card();

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.marketplace_products enable row level security;
alter table public.product_reviews enable row level security;
alter table public.product_review_votes enable row level security;
alter table public.product_likes enable row level security;
alter table public.product_counter_deltas enable row level security;
alter table public.product_views enable row level security;
alter table public.marketplace_products alter column workspace_id set (n_distinct = 500);

revoke all on public.marketplace_products, public.product_reviews, public.product_review_votes, public.product_likes,
  public.product_counter_deltas, public.product_views, public.marketplace_listings from anon, authenticated;
revoke all on private.marketplace_sales from anon, authenticated;

-- Members list and edit products, admins remove them; counters, seller,
-- dates and (for a linked product) stock are the database's.
grant select on public.marketplace_products to anon, authenticated;
grant delete on public.marketplace_products to authenticated;
grant insert (id, workspace_id, title, description, category, price, currency, images, tags, available_regions,
              inventory_item_id, stock_quantity, customization_options, status)
  on public.marketplace_products to authenticated;
grant update (title, description, category, price, currency, images, tags, available_regions, inventory_item_id,
              stock_quantity, customization_options, status)
  on public.marketplace_products to authenticated;

-- Anon gets a policy of its own: the members' branch calls a private
-- function anon may not run.
create policy marketplace_products_public on public.marketplace_products for select to anon
  using (status = 'published');
create policy marketplace_products_select on public.marketplace_products for select to authenticated
  using (status = 'published' or workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy marketplace_products_insert on public.marketplace_products for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy marketplace_products_update on public.marketplace_products for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy marketplace_products_delete on public.marketplace_products for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

-- Reviews are as public as their product; their authors edit and remove them.
grant select on public.product_reviews to anon, authenticated;
grant insert (id, product_id, rating, review_text, images) on public.product_reviews to authenticated;
grant update (rating, review_text, images) on public.product_reviews to authenticated;
grant delete on public.product_reviews to authenticated;

create policy product_reviews_select on public.product_reviews for select to anon, authenticated
  using (exists (select 1 from public.marketplace_products p where p.id = product_reviews.product_id));
create policy product_reviews_insert on public.product_reviews for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy product_reviews_update on public.product_reviews for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy product_reviews_delete on public.product_reviews for delete to authenticated
  using (user_id = (select auth.uid()));

grant select, delete on public.product_review_votes, public.product_likes to authenticated;
grant insert (review_id) on public.product_review_votes to authenticated;
grant insert (id, product_id) on public.product_likes to authenticated;

create policy product_review_votes_select on public.product_review_votes for select to authenticated
  using (user_id = (select auth.uid()));
create policy product_review_votes_insert on public.product_review_votes for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy product_review_votes_delete on public.product_review_votes for delete to authenticated
  using (user_id = (select auth.uid()));

create policy product_likes_select on public.product_likes for select to authenticated
  using (user_id = (select auth.uid()));
create policy product_likes_insert on public.product_likes for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy product_likes_delete on public.product_likes for delete to authenticated
  using (user_id = (select auth.uid()));

-- Pending counters are as readable as their product (the listing view
-- adds them); views are inserted by anyone and read by nobody.
grant select on public.product_counter_deltas, public.marketplace_listings to anon, authenticated;
grant insert (product_id) on public.product_views to anon, authenticated;

create policy product_counter_deltas_select on public.product_counter_deltas for select to anon, authenticated
  using (exists (select 1 from public.marketplace_products p where p.id = product_counter_deltas.product_id));
create policy product_views_insert on public.product_views for insert to anon, authenticated
  with check (exists (select 1 from public.marketplace_products p
                       where p.id = product_views.product_id and p.status = 'published'));

-- The photos of published products and of their reviews are public.
create policy marketplace_images_read on storage.objects for select to anon, authenticated
  using (bucket_id = 'media'
         and (exists (select 1 from public.marketplace_products p where p.status = 'published' and p.images @> array[name])
              or exists (select 1 from public.product_reviews r join public.marketplace_products p on p.id = r.product_id
                          where p.status = 'published' and r.images @> array[name])));

-- Sellers watch their products' figures and buyers' orders arrive (orders
-- are in the publication already).
alter publication supabase_realtime add table public.marketplace_products;

revoke all on function private.check_product_options(jsonb), private.check_customisations(jsonb, jsonb),
  private.check_stored_images(text[], uuid[], text), private.product_next_statuses(public.product_status),
  private.prepare_product(), private.mirror_product_stock(), private.forget_product_counters(), private.count_likes(), private.count_reviews(),
  private.count_review_votes(), private.fold_product_counters(),
  private.marketplace_contact(uuid, public.profiles), private.buy_product(uuid, integer, jsonb, text),
  private.my_purchases(timestamptz, uuid, integer),
  private.marketplace_order_cancelled(), private.prepare_review(), private.check_review_vote(),
  private.check_product_like(), private.list_product_cards(), private.list_reviewer_card() from public;
grant execute on function private.buy_product(uuid, integer, jsonb, text), private.my_purchases(timestamptz, uuid, integer)
  to authenticated, service_role;
revoke all on function public.buy_product(uuid, integer, jsonb, text), public.my_purchases(timestamptz, uuid, integer)
  from public, anon;
grant execute on function public.buy_product(uuid, integer, jsonb, text), public.my_purchases(timestamptz, uuid, integer)
  to authenticated, service_role;
revoke all on function public.browse_products(text, text, text, numeric, numeric, text[], uuid, timestamptz, uuid, integer)
  from public;
grant execute on function public.browse_products(text, text, text, numeric, numeric, text[], uuid, timestamptz, uuid, integer)
  to anon, authenticated, service_role;

insert into private.tick_steps (name, fn, position) values
  ('folded_product_counters', 'private.fold_product_counters', 130);
