-- Module: finance
--
-- Money in and out (seed 004 Finance): the ledger of transactions, payments
-- and refunds on orders and invoices, auto-splits of income into categories,
-- financial goals, invoices with gapless yearly numbers and their WhatsApp
-- notices, and reports.
--
-- The ledger. transactions is append-only: a payment, a refund, an expense
-- or other income is one row, never edited or removed (a mistake is undone
-- by a reversing entry, a negative amount). That keeps what follows from
-- it (allocations, goals' current_amount) exact by difference, without
-- recounting. Amounts keep their currency (ISO 4217); nothing is converted
-- and every total is per currency.
--
-- Payments. public.record_payment / record_refund are the only way a
-- client moves orders.amount_paid or invoices.amount_paid: each moves the
-- figures, writes one income transaction (a refund a negative one) and the
-- client's timeline gets a payment entry. An invoice made from an order
-- counts on both with one transaction; once such an invoice is issued, the
-- order's payments go through the invoice (the order alone is refused), so
-- the two never disagree. A change of amount_paid made without them (an
-- agent order mirrored from agt_<id>_orders, which is paid in full when
-- confirmed and unpaid when refunded; the service or Studio) is entered in
-- the ledger too, as income of the difference (payment_method 'agent' for
-- the mirror).
--
-- Splits and goals. Each income transaction is split by the workspace's
-- active auto_splits into transaction_allocations; a goal's current_amount
-- is what its category received in its period: transactions of that
-- category plus allocations into it.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.transaction_type as enum ('income', 'expense');
create type public.split_type as enum ('percentage', 'fixed_amount');
create type public.goal_period as enum ('monthly', 'yearly');
create type public.goal_status as enum ('active', 'completed', 'archived');
create type public.invoice_status as enum ('draft', 'sent', 'paid', 'overdue', 'cancelled');
create type public.invoice_notice as enum ('sent', 'overdue');
create type private.goal_change as (workspace_id uuid, category text, currency text, at timestamptz, amount numeric);

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.invoices (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  order_id uuid references public.orders (id) on delete set null,
  contact_id uuid references public.contacts (id) on delete set null,
  -- Null while a draft: the number is taken when the invoice is issued.
  number bigint,
  invoice_year integer,
  invoice_number text,
  bills_from text not null default '' check (char_length(bills_from) <= 500),
  bills_to text not null default '' check (char_length(bills_to) <= 500),
  recipient_email text check (char_length(recipient_email) <= 320),
  title text check (char_length(title) <= 200),
  description text check (char_length(description) <= 4000),
  currency text not null default 'XXX' check (currency ~ '^[A-Z]{3}$'),
  items jsonb not null default '[]'::jsonb check (jsonb_typeof(items) = 'array'),
  subtotal numeric(12, 2) not null default 0,
  -- Amounts clients write refuse 'NaN' (numeric takes it and it compares
  -- above every number, see inventory_items' prices).
  discount numeric(12, 2) not null default 0 check (discount >= 0 and discount <> 'NaN'),
  tax_rate numeric(5, 2) check (tax_rate is not null and tax_rate between 0 and 100),
  tax numeric(12, 2) not null default 0,
  total_amount numeric(12, 2) not null default 0,
  amount_paid numeric(12, 2) not null default 0 check (amount_paid >= 0),
  balance_due numeric(12, 2) not null generated always as (total_amount - amount_paid) stored,
  payment_status public.payment_status not null generated always as (
    case when total_amount > 0 and amount_paid >= total_amount then 'paid'::public.payment_status
         when amount_paid > 0 then 'partial'::public.payment_status
         else 'unpaid'::public.payment_status end) stored,
  issued_date timestamptz,
  due_date timestamptz,
  status public.invoice_status not null default 'draft',
  notes text check (char_length(notes) <= 4000),
  message_id uuid references public.messages (id) on delete set null,
  message_error text,
  pdf_path text,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  sent_at timestamptz,
  paid_at timestamptz,
  overdue_at timestamptz,
  cancelled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, workspace_id),
  unique (workspace_id, invoice_number),
  unique (workspace_id, invoice_year, number),
  check ((status = 'draft') = (number is null)),
  check (amount_paid <= total_amount),
  check (discount <= subtotal)
);
comment on table public.invoices is 'Bills sent to clients (seed 004 invoices): made from an order (its items and totals copied) or by hand; draft -> sent -> paid, sent -> overdue (the minute tick, past due_date), issued -> cancelled. Issued invoices are never edited or deleted.';
comment on column public.invoices.order_id is 'The order it was made from, if any: its payments count on that order too.';
comment on column public.invoices.contact_id is 'The client (seed client_id): a contact of the workspace; the one messaged on WhatsApp.';
comment on column public.invoices.number is 'Gapless per workspace and year (1, 2, 3 ...), given when the invoice is issued (sent); null while a draft.';
comment on column public.invoices.invoice_year is 'The year of issued_date in the workspace''s time zone, which numbering restarts with.';
comment on column public.invoices.invoice_number is 'The number as people read it, from the workspace''s invoice_number_format; unique in the workspace; null while a draft.';
comment on column public.invoices.bills_from is 'Who bills: the workspace''s name unless given.';
comment on column public.invoices.bills_to is 'Who is billed: the order''s customer or the contact''s name unless given.';
comment on column public.invoices.recipient_email is 'The client''s email (the order''s or the contact''s unless given).';
comment on column public.invoices.title is 'What it is for (Order <number> for one made from an order, unless given).';
comment on column public.invoices.description is 'Free text shown on the invoice.';
comment on column public.invoices.currency is 'ISO 4217: the order''s currency, or the workspace''s for an invoice by hand. Payments must be in it.';
comment on column public.invoices.items is 'Lines: [{"name", "quantity", "unit_price", "total"}], at most 500, names of 1 to 200 characters; copied from the order''s items, or given by hand (total is computed).';
comment on column public.invoices.subtotal is 'Sum of the lines'' totals, kept by the database.';
comment on column public.invoices.discount is 'An amount off the subtotal (at most the subtotal); the order''s when made from one.';
comment on column public.invoices.tax_rate is 'Tax in percent of subtotal - discount: the order''s, or the workspace''s default_tax_rate.';
comment on column public.invoices.tax is 'round((subtotal - discount) x tax_rate / 100, 2), kept by the database.';
comment on column public.invoices.total_amount is 'subtotal - discount + tax, kept by the database.';
comment on column public.invoices.amount_paid is 'What the client has paid on it (record_payment / record_refund); an invoice made from an order starts with what the order had been paid when issued.';
comment on column public.invoices.balance_due is 'total_amount - amount_paid.';
comment on column public.invoices.payment_status is 'unpaid, partial or paid: derived from amount_paid.';
comment on column public.invoices.issued_date is 'When it was issued (sent); the year of the number.';
comment on column public.invoices.due_date is 'When payment is due; a sent invoice past it becomes overdue. Null: never overdue.';
comment on column public.invoices.status is 'draft (editable, no number) -> sent (numbered, immutable) -> paid (fully paid; a refund sends it back to sent or overdue); sent -> overdue (the tick); sent or overdue -> cancelled (nothing paid). Clients move draft -> sent and -> cancelled; the rest is the database''s.';
comment on column public.invoices.notes is 'Notes on the invoice (editable only while a draft).';
comment on column public.invoices.message_id is 'The last WhatsApp notice sent for it (sent or overdue template).';
comment on column public.invoices.message_error is 'Why the last mapped notice was not sent (no phone, opted out, ...).';
comment on column public.invoices.pdf_path is 'The invoice as a PDF document: its object in the media bucket (<workspace id>/invoices/<invoice id>.pdf), rendered by the invoices function once it is issued; null until then. Members download it through Storage; the sent notice carries it when its template has a DOCUMENT header. Kept for the invoice''s life (media retention leaves it).';
comment on column public.invoices.created_by is 'Who made it.';
comment on column public.invoices.sent_at is 'When it was sent (set by the database).';
comment on column public.invoices.paid_at is 'When it was last fully paid (set by the database).';
comment on column public.invoices.overdue_at is 'When the tick marked it overdue.';
comment on column public.invoices.cancelled_at is 'When it was cancelled.';

create table public.transactions (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  transaction_type public.transaction_type not null,
  category text not null check (char_length(category) between 1 and 100),
  amount numeric(12, 2) not null check (amount <> 0 and amount <> 'NaN'),
  -- '' on the way in means the workspace's currency.
  currency text not null default '' check (currency ~ '^[A-Z]{3}$'),
  description text check (char_length(description) <= 1000),
  order_id uuid references public.orders (id) on delete set null,
  invoice_id uuid references public.invoices (id) on delete set null,
  contact_id uuid references public.contacts (id) on delete set null,
  payment_method text check (char_length(payment_method) <= 50),
  date timestamptz not null default now(),
  metadata jsonb not null default '{}'::jsonb
    check (jsonb_typeof(metadata) = 'object' and octet_length(metadata::text) <= 16384),
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (id, workspace_id)
);
comment on table public.transactions is 'The ledger (seed 004 transactions): money in (income) and out (expense), append-only. Payments and refunds are written by record_payment / record_refund; members enter expenses and other income. Totals are per currency, never converted.';
comment on column public.transactions.transaction_type is 'income or expense.';
comment on column public.transactions.category is 'What it is for, e.g. sales (payments on orders and invoices), rent, materials.';
comment on column public.transactions.amount is 'Signed: a refund, or an entry reversing a mistake, is negative.';
comment on column public.transactions.currency is 'ISO 4217 code; the workspace''s when not given; a payment''s is its order''s or invoice''s.';
comment on column public.transactions.description is 'Free text.';
comment on column public.transactions.order_id is 'The order a payment or refund was on (seed reference_type/reference_id).';
comment on column public.transactions.invoice_id is 'The invoice a payment or refund was on.';
comment on column public.transactions.contact_id is 'The client who paid (or was refunded).';
comment on column public.transactions.payment_method is 'How: cash, card, transfer, pix ... free text; agent for a mirrored agent order''s payment.';
comment on column public.transactions.date is 'When the money moved; reports and goals go by it (months and years in the workspace''s time zone).';
comment on column public.transactions.metadata is 'A JSON object of at most 16 KB: what the entry came from (kind: payment, refund, ledger_adjustment) and, for an income whose split was not applied, why (split_error); those two keys are the database''s, the rest a member''s.';
comment on column public.transactions.created_by is 'Who recorded it (null for the system).';

create table public.auto_splits (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  split_type public.split_type not null,
  value numeric(12, 2) not null check (value > 0 and value <> 'NaN'),
  category text not null check (char_length(category) between 1 and 100),
  is_active boolean not null default true,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (split_type = 'fixed_amount' or value <= 100)
);
comment on table public.auto_splits is 'How income is set aside (seed 004 auto_splits): each active rule takes a percentage of, or a fixed amount from, every income transaction into its category. Active percentages add up to at most 100.';
comment on column public.auto_splits.name is 'A label, e.g. Tax reserve.';
comment on column public.auto_splits.split_type is 'percentage (value in percent of the income, rounded down to the cent) or fixed_amount (value per payment, in the income''s currency; not taken back by a refund).';
comment on column public.auto_splits.value is 'Percent (0 to 100) or amount, depending on split_type.';
comment on column public.auto_splits.category is 'Where the allocation goes, e.g. tax, savings; goals of that category count it.';
comment on column public.auto_splits.is_active is 'Only active rules split new income; allocations made stay.';

create table public.transaction_allocations (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null,
  transaction_id uuid not null,
  auto_split_id uuid references public.auto_splits (id) on delete set null,
  category text not null,
  amount numeric(12, 2) not null,
  currency text not null,
  date timestamptz not null,
  created_at timestamptz not null default now(),
  foreign key (transaction_id, workspace_id) references public.transactions (id, workspace_id) on delete cascade
);
comment on table public.transaction_allocations is 'What the auto-splits took from each income transaction, written by the database when the transaction is recorded.';
comment on column public.transaction_allocations.auto_split_id is 'The rule that made it (null once the rule is deleted).';
comment on column public.transaction_allocations.category is 'The rule''s category when it was applied.';
comment on column public.transaction_allocations.amount is 'Signed like the transaction (a refund''s percentage allocations are negative).';
comment on column public.transaction_allocations.currency is 'The transaction''s currency.';
comment on column public.transaction_allocations.date is 'The transaction''s date.';

create table public.financial_goals (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 200),
  goal_type public.goal_period not null default 'monthly',
  target_amount numeric(12, 2) not null check (target_amount > 0 and target_amount <> 'NaN'),
  current_amount numeric(12, 2) not null default 0,
  category text not null check (char_length(category) between 1 and 100),
  currency text not null default '' check (currency ~ '^[A-Z]{3}$'),
  -- -infinity stands for "today in the workspace's time zone", which a
  -- column default cannot know (prepare_goal puts it in).
  period_start date not null default '-infinity' check (isfinite(period_start)),
  period_end date not null generated always as (
    (period_start + case goal_type when 'monthly' then interval '1 month' else interval '1 year' end)::date) stored,
  status public.goal_status not null default 'active',
  completed_at timestamptz,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.financial_goals is 'A target for a category in a month or a year (seed 004 financial_goals); current_amount follows the ledger exactly; reaching the target completes the goal and notifies the workspace once.';
comment on column public.financial_goals.goal_type is 'monthly or yearly: the length of the period.';
comment on column public.financial_goals.target_amount is 'What the category should reach in the period.';
comment on column public.financial_goals.current_amount is 'Transactions of the category plus allocations into it, dated inside the period, in the goal''s currency; kept by the database.';
comment on column public.financial_goals.category is 'The category followed (a transaction''s or a split''s).';
comment on column public.financial_goals.currency is 'ISO 4217; the workspace''s when not given. Only money in it counts.';
comment on column public.financial_goals.period_start is 'First day of the period (a date in the workspace''s time zone; default its today), moved to the start of its month or year.';
comment on column public.financial_goals.period_end is 'The day after the period (seed deadline).';
comment on column public.financial_goals.status is 'active, completed (set by the database when current_amount reaches the target; stays so) or archived (by an admin).';
comment on column public.financial_goals.completed_at is 'When the target was reached.';

-- A workspace's invoice notices: issued / overdue -> an approved UTILITY template.
create table public.invoice_templates (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  notice public.invoice_notice not null,
  template_id uuid not null references public.message_templates (id) on delete cascade,
  parameters jsonb not null default '{}'::jsonb,
  is_active boolean not null default true,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, notice)
);
comment on table public.invoice_templates is 'Which approved UTILITY template tells the client that an invoice was sent, or is overdue; sent through the normal send path.';
comment on column public.invoice_templates.notice is 'sent (when the invoice is issued) or overdue (when the tick marks it).';
comment on column public.invoice_templates.template_id is 'An approved UTILITY template of one of the workspace''s channels; the message goes out on that channel.';
comment on column public.invoice_templates.parameters is 'Template parameters as for send_message, where {invoice_number}, {title}, {bills_to}, {total}, {balance_due}, {currency}, {issued_date} and {due_date} are replaced by the invoice''s values.';
comment on column public.invoice_templates.is_active is 'Inactive mappings send nothing.';

-- Issued invoices waiting for their PDF, and the notice waiting for it.
create table private.invoice_documents (
  invoice_id uuid primary key references public.invoices (id) on delete cascade,
  -- The notice to send once the document is stored (its template has a DOCUMENT header).
  notice public.invoice_notice,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now()
);
comment on table private.invoice_documents is 'Issued invoices whose PDF the invoices function is to render and store; a notice whose template carries the document waits here for it.';
create index invoice_documents_due_idx on private.invoice_documents (next_attempt_at);

alter table public.messages add constraint messages_invoice_id_fkey
  foreign key (invoice_id) references public.invoices (id) on delete set null;

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index invoices_workspace_idx on public.invoices (workspace_id, created_at desc);
create index invoices_open_idx on public.invoices (due_date) where status = 'sent';
create index invoices_contact_idx on public.invoices (contact_id) where contact_id is not null;
create unique index invoices_order_key on public.invoices (order_id) where order_id is not null and status <> 'cancelled';
create index invoices_order_idx on public.invoices (order_id) where order_id is not null;
create index invoices_created_by_idx on public.invoices (created_by) where created_by is not null;
create index invoices_message_idx on public.invoices (message_id) where message_id is not null;
create index transactions_workspace_date_idx on public.transactions (workspace_id, date desc);
create index transactions_category_idx on public.transactions (workspace_id, category, currency, date);
create index transactions_order_idx on public.transactions (order_id) where order_id is not null;
create index transactions_invoice_idx on public.transactions (invoice_id) where invoice_id is not null;
create index transactions_contact_idx on public.transactions (contact_id) where contact_id is not null;
create index transactions_created_by_idx on public.transactions (created_by) where created_by is not null;
create index auto_splits_workspace_idx on public.auto_splits (workspace_id, created_at);
create index auto_splits_created_by_idx on public.auto_splits (created_by) where created_by is not null;
create index transaction_allocations_transaction_idx on public.transaction_allocations (transaction_id, workspace_id);
create index transaction_allocations_category_idx on public.transaction_allocations (workspace_id, category, currency, date);
create index transaction_allocations_split_idx on public.transaction_allocations (auto_split_id) where auto_split_id is not null;
create index financial_goals_category_idx on public.financial_goals (workspace_id, category, currency, period_start);
create index financial_goals_created_by_idx on public.financial_goals (created_by) where created_by is not null;
create index invoice_templates_template_idx on public.invoice_templates (template_id);
create index invoice_templates_created_by_idx on public.invoice_templates (created_by) where created_by is not null;
create index messages_invoice_id_idx on public.messages (invoice_id) where invoice_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Goals and splits read and write the ledger of a workspace under this
-- lock: money is recorded sharing it, a goal is counted holding it alone,
-- so a goal counted while a payment is in flight waits for it and then
-- sees it (and the payment's own goal update sees a goal committed before).
create function private.lock_ledger(ws uuid, exclusive boolean)
returns void
language plpgsql volatile set search_path = ''
as $$
begin
  if exclusive then
    perform pg_advisory_xact_lock(hashtextextended('threadline.ledger:' || ws, 0));
  else
    perform pg_advisory_xact_lock_shared(hashtextextended('threadline.ledger:' || ws, 0));
  end if;
end
$$;

-- Transactions ------------------------------------------------------------------------

-- A new entry: the client's refusal first (as RLS would give it), then the
-- workspace's currency and who recorded it.
create function private.prepare_transaction()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.require_writer(new.workspace_id, 'member', 'transactions');
  if new.contact_id is not null
     and not exists (select 1 from public.contacts c where c.id = new.contact_id and c.workspace_id = new.workspace_id) then
    raise exception 'contact not found in this workspace' using errcode = 'P0002';
  end if;
  if new.currency = '' then
    new.currency := (select w.currency from public.workspaces w where w.id = new.workspace_id);
  end if;
  if private.is_client() then
    new.created_by := (select auth.uid());
  end if;
  -- metadata.kind says an entry came from a payment, a refund or the
  -- ledger's own adjustment, and split_error leaves an income unsplit: the
  -- database's to write (record_money under threadline.ledger, the mirror),
  -- never a client's entry.
  if private.is_client() and new.metadata ?| array['kind', 'split_error']
     and current_setting('threadline.ledger', true) is distinct from 'on'
     and current_setting('threadline.order_mirror', true) is distinct from 'on' then
    raise exception 'metadata keys kind and split_error are written by the database' using errcode = '42501',
      hint = 'payments and refunds go through record_payment and record_refund; every income is split by the auto_splits';
  end if;
  new.created_at := now();
  perform private.lock_ledger(new.workspace_id, false);
  -- A mirrored agent order's payment is not refused for its split: it is
  -- recorded unsplit, saying why.
  if new.transaction_type = 'income' and coalesce(current_setting('threadline.order_mirror', true) = 'on', false)
     and (select sum(a.amount) from private.allocations_for(new.workspace_id, new.amount) a) > new.amount then
    new.metadata := new.metadata || jsonb_build_object('split_error', 'the split rules would allocate more than the income');
  end if;
  return new;
end
$$;

-- Entries are history: never edited or removed. What they point at may
-- go (a pending order deleted, a contact erased: the link is cleared), and
-- they go with their workspace.
create function private.refuse_transaction_change()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and to_jsonb(new) - '{order_id,invoice_id,contact_id}'::text[]
                          = to_jsonb(old) - '{order_id,invoice_id,contact_id}'::text[] then
    return new;
  end if;
  if tg_op = 'DELETE' and not exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
    return old;
  end if;
  raise exception 'the ledger is append-only: record a reversing entry (a negative amount) instead' using errcode = '42501';
end
$$;

-- The active rules of the income's workspace, applied to each new income:
-- percentages rounded down to the cent (so they never exceed the income),
-- fixed amounts on payments only. A split that would allocate more than
-- the income is refused, as the rules are when saved (a mirrored agent
-- order's payment is marked unsplit instead, by prepare_transaction).
create function private.split_income()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  t record;
  over record;
begin
  for t in select * from recorded r where r.transaction_type = 'income' and not r.metadata ? 'split_error'
                                      and exists (select 1 from public.auto_splits s
                                                   where s.workspace_id = r.workspace_id and s.is_active) loop
    select sum(a.amount) as allocated into over
      from private.allocations_for(t.workspace_id, t.amount) a;
    if t.amount > 0 and over.allocated > t.amount then
      raise exception 'the split rules would allocate % % of an income of % %', over.allocated, t.currency, t.amount,
        t.currency using errcode = '23514',
        hint = 'lower or deactivate fixed_amount rules in auto_splits, or record a larger payment';
    end if;
    insert into public.transaction_allocations (workspace_id, transaction_id, auto_split_id, category, amount, currency, date)
    select t.workspace_id, t.id, a.split_id, a.category, a.amount, t.currency, t.date
      from private.allocations_for(t.workspace_id, t.amount) a
     where a.amount <> 0;
  end loop;
  return null;
end
$$;

create function private.allocations_for(ws uuid, amount numeric)
returns table (split_id uuid, category text, amount numeric)
language sql stable set search_path = ''
as $$
  select s.id, s.category,
         case s.split_type when 'percentage' then trunc(allocations_for.amount * s.value / 100, 2)
                           else case when allocations_for.amount > 0 then s.value else 0 end end
    from public.auto_splits s
   where s.workspace_id = ws and s.is_active
   order by s.created_at, s.id
$$;

-- Goals move by what each statement adds to their category in their
-- period; the row lock of the update keeps concurrent additions exact.
create function private.add_to_goals(changes private.goal_change[])
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform set_config('threadline.goal_tally', 'on', true);
  update public.financial_goals g set current_amount = g.current_amount + d.delta
    from (select g2.id, sum(c.amount) as delta
            from unnest(changes) c
            join public.workspaces w on w.id = c.workspace_id
            join public.financial_goals g2
              on g2.workspace_id = c.workspace_id and g2.category = c.category and g2.currency = c.currency
             and (c.at at time zone w.timezone)::date >= g2.period_start
             and (c.at at time zone w.timezone)::date < g2.period_end
           group by g2.id) d
   where g.id = d.id and d.delta <> 0;
  perform set_config('threadline.goal_tally', 'off', true);
end
$$;

create function private.transactions_to_goals()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_to_goals(array(
    select (r.workspace_id, r.category, r.currency, r.date, r.amount)::private.goal_change from recorded r));
  return null;
end
$$;

-- Goals -------------------------------------------------------------------------------

-- What a goal's category received in its period, counted afresh (from
-- period_start: a BEFORE trigger sees the generated period_end as null).
-- The period's days are the workspace's: they start at its local midnight.
create function private.goal_amount(g public.financial_goals)
returns numeric
language sql stable set search_path = ''
as $$
  with tz as (select private.workspace_timezone(g.workspace_id) as name),
  p as (
    select g.period_start::timestamp at time zone tz.name as starts,
           (g.period_start + case g.goal_type when 'monthly' then interval '1 month' else interval '1 year' end)
             at time zone tz.name as ends
      from tz)
  select coalesce((select sum(t.amount) from public.transactions t, p
                    where t.workspace_id = g.workspace_id and t.category = g.category and t.currency = g.currency
                      and t.date >= p.starts and t.date < p.ends), 0)
       + coalesce((select sum(a.amount) from public.transaction_allocations a, p
                    where a.workspace_id = g.workspace_id and a.category = g.category and a.currency = g.currency
                      and a.date >= p.starts and a.date < p.ends), 0)
$$;

-- Admins set goals; the database keeps current_amount and completes them.
-- A goal whose period, category or currency is new is counted afresh,
-- holding the ledger's lock (see lock_ledger).
create function private.prepare_goal()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  tally boolean := coalesce(current_setting('threadline.goal_tally', true) = 'on', false);
begin
  if not tally then
    perform private.require_writer(new.workspace_id, 'admin', 'financial_goals');
    if new.currency = '' then
      new.currency := (select w.currency from public.workspaces w where w.id = new.workspace_id);
    end if;
    if tg_op = 'INSERT' and new.period_start = '-infinity' then
      new.period_start := (now() at time zone private.workspace_timezone(new.workspace_id))::date;
    end if;
    if not isfinite(new.period_start) then
      raise exception 'a goal''s period starts on a date, not %', new.period_start using errcode = '22023';
    end if;
    new.period_start := date_trunc(case new.goal_type when 'monthly' then 'month' else 'year' end, new.period_start)::date;
    if new.status = 'completed' and (tg_op = 'INSERT' or old.status <> 'completed') then
      raise exception 'a goal is completed by the database when its target is reached' using errcode = '55000',
        hint = 'set status active or archived';
    end if;
    if tg_op = 'UPDATE' and old.status = 'completed' and new.status = 'active' then
      raise exception 'goal "%" was reached: it is archived, not reopened', old.title using errcode = '55000',
        hint = 'make a new goal';
    end if;
    if tg_op = 'INSERT' or (new.category, new.currency, new.period_start, new.goal_type)
                           is distinct from (old.category, old.currency, old.period_start, old.goal_type) then
      perform private.lock_ledger(new.workspace_id, true);
      new.current_amount := private.goal_amount(new);
    elsif new.current_amount is distinct from old.current_amount then
      raise exception 'current_amount is kept by the database from the ledger' using errcode = '42501';
    end if;
    new.created_at := case when tg_op = 'INSERT' then now() else old.created_at end;
  end if;
  if new.status = 'active' and new.current_amount >= new.target_amount then
    new.status := 'completed';
    new.completed_at := now();
  end if;
  return new;
end
$$;

-- Once per goal: it completes once and never goes back to active by itself.
create function private.notify_goal_completed()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select m.user_id, new.workspace_id, 'financial_goal_completed', 'Goal reached: ' || left(new.title, 80),
         format('%s reached %s %s of its %s %s target (%s, %s to %s).', new.title, new.current_amount, new.currency,
                new.target_amount, new.currency, new.category, new.period_start, new.period_end - 1),
         '/finance/goals/' || new.id, 'financial_goal', new.id
    from public.workspace_members m
   where m.workspace_id = new.workspace_id and m.status = 'active';
  return null;
end
$$;

-- A new time zone moves every period's edges by hours: the goals are
-- counted afresh under the ledger's lock, as when a goal's period changes.
-- A completed goal stays completed (it was reached).
create function private.recount_goals()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.financial_goals g where g.workspace_id = new.id) then
    return null;
  end if;
  perform private.lock_ledger(new.id, true);
  perform set_config('threadline.goal_tally', 'on', true);
  update public.financial_goals g set current_amount = c.amount
    from (select g2.id, private.goal_amount(g2) as amount from public.financial_goals g2 where g2.workspace_id = new.id) c
   where g.id = c.id and g.current_amount is distinct from c.amount;
  perform set_config('threadline.goal_tally', 'off', true);
  return null;
end
$$;

-- Splits ------------------------------------------------------------------------------

-- Admins keep the rules; active percentages may not add up to more than
-- 100 (checked holding a per-workspace lock, so two admins saving at once
-- cannot pass it together).
create function private.check_auto_split()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  pct numeric;
begin
  perform private.require_writer(new.workspace_id, 'admin', 'auto_splits');
  if new.is_active and new.split_type = 'percentage' then
    perform pg_advisory_xact_lock(hashtextextended('threadline.auto_splits:' || new.workspace_id, 0));
    select coalesce(sum(s.value), 0) + new.value into pct from public.auto_splits s
     where s.workspace_id = new.workspace_id and s.is_active and s.split_type = 'percentage' and s.id <> new.id;
    if pct > 100 then
      raise exception 'the active percentage splits would allocate % %% of every income', pct using errcode = '23514',
        hint = 'lower or deactivate another percentage rule first';
    end if;
  end if;
  new.created_at := case when tg_op = 'INSERT' then now() else old.created_at end;
  return new;
end
$$;

create function private.allocations_to_goals()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_to_goals(array(
    select (a.workspace_id, a.category, a.currency, a.date, a.amount)::private.goal_change from allocated a));
  return null;
end
$$;

-- Invoices ----------------------------------------------------------------------------

-- Lines with their totals, and the invoice's totals from them.
create function private.invoice_totals(inv public.invoices)
returns public.invoices
language plpgsql stable set search_path = ''
as $$
declare
  line jsonb;
  -- An array appended in place, where a jsonb array is copied whole at each
  -- line (5,000 lines took 8 s).
  lines jsonb[] := '{}';
  q numeric;
  p numeric;
  subtotal numeric := 0;
begin
  -- Bounded: a draft is totalled at each edit and the invoices function
  -- renders every issued one.
  if jsonb_array_length(inv.items) > 500 then
    raise exception 'an invoice has at most 500 lines, not %', jsonb_array_length(inv.items) using errcode = '22023';
  end if;
  for line in select e from jsonb_array_elements(inv.items) e loop
    if jsonb_typeof(line) <> 'object' or coalesce(btrim(line ->> 'name'), '') = '' then
      raise exception 'each invoice line needs a name' using errcode = '22023',
        hint = '[{"name": "...", "quantity": 1, "unit_price": 10.00}]';
    end if;
    if char_length(line ->> 'name') > 200 then
      raise exception 'invoice line "%..." has a name of % characters; at most 200', left(line ->> 'name', 40),
        char_length(line ->> 'name') using errcode = '22023';
    end if;
    q := coalesce((line ->> 'quantity')::numeric, 1);
    p := (line ->> 'unit_price')::numeric;
    if q <= 0 or p is null or p < 0 or q = 'NaN' or p = 'NaN' then
      raise exception 'invoice line "%" needs a positive quantity and a unit_price of 0 or more', line ->> 'name'
        using errcode = '22023';
    end if;
    lines := lines || jsonb_build_object('name', line ->> 'name', 'quantity', q, 'unit_price', round(p, 2),
                                         'total', round(q * round(p, 2), 2));
    subtotal := subtotal + round(q * round(p, 2), 2);
  end loop;
  inv.items := to_jsonb(lines);
  -- Said plainly, not as numeric(12,2)'s "numeric field overflow".
  if subtotal > 9999999999.99 then
    raise exception 'the invoice lines add up to %, more than an amount can be (9999999999.99)', subtotal
      using errcode = '22003';
  end if;
  inv.subtotal := subtotal;
  if inv.discount > inv.subtotal then
    raise exception 'the discount % is more than the subtotal %', inv.discount, inv.subtotal using errcode = '23514';
  end if;
  inv.tax := round((inv.subtotal - inv.discount) * inv.tax_rate / 100, 2);
  if inv.subtotal - inv.discount + inv.tax > 9999999999.99 then
    raise exception 'the invoice would total % with its tax, more than an amount can be (9999999999.99)',
      inv.subtotal - inv.discount + inv.tax using errcode = '22003';
  end if;
  inv.total_amount := inv.subtotal - inv.discount + inv.tax;
  return inv;
end
$$;

create function private.invoice_next_statuses(s public.invoice_status)
returns public.invoice_status[]
language sql immutable set search_path = ''
as $$
  select case s
    when 'draft' then '{sent}'
    when 'sent' then '{paid,overdue,cancelled}'
    when 'overdue' then '{paid,cancelled}'
    when 'paid' then '{sent,overdue}'
    else '{}'
  end::public.invoice_status[]
$$;
comment on function private.invoice_next_statuses(public.invoice_status) is
  'Invoice workflow: draft -> sent; sent -> paid, overdue or cancelled; overdue -> paid or cancelled; paid -> sent or overdue (a refund). Clients move draft -> sent and -> cancelled.';

-- A new invoice: from its order (items, totals, client, currency) or by
-- hand (the workspace's currency and tax rate); a draft is edited freely.
-- Issuing it (draft -> sent) takes its number; from then on it is only
-- paid, marked overdue or cancelled. Client refusals come first, as RLS
-- would give them.
create function private.prepare_invoice()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  ws public.workspaces;
  o public.orders;
  ct public.contacts;
  paid_so_far numeric;
  system boolean := coalesce(current_setting('threadline.invoice_system', true) = 'on', false) or not private.is_client();
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'member', 'invoices');
    if not system and new.status <> 'draft' then
      raise exception 'a new invoice starts as a draft, not %', new.status using errcode = '55000',
        hint = 'insert it, then update its status to sent';
    end if;
    select * into ws from public.workspaces w where w.id = new.workspace_id;
    new.number := null;
    new.invoice_number := null;
    new.invoice_year := null;
    new.amount_paid := 0;
    new.currency := ws.currency;
    new.tax_rate := coalesce(new.tax_rate, ws.default_tax_rate);
    if new.order_id is not null then
      select * into o from public.orders x where x.id = new.order_id and x.workspace_id = new.workspace_id;
      if not found then
        raise exception 'order not found in this workspace' using errcode = 'P0002';
      end if;
      if o.status = 'cancelled' then
        raise exception 'order % is cancelled: it is not invoiced', o.order_number using errcode = '55000';
      end if;
      new.items := coalesce((select jsonb_agg(jsonb_build_object('name', i.item_name, 'quantity', i.quantity,
                                                                 'unit_price', i.unit_price) order by i.created_at, i.id)
                               from public.order_items i where i.order_id = o.id), '[]'::jsonb);
      new.contact_id := coalesce(new.contact_id, o.contact_id);
      new.currency := o.currency;
      new.discount := o.discount;
      new.tax_rate := o.tax_rate;
      new.title := coalesce(new.title, 'Order ' || o.order_number || ': ' || o.title);
      new.bills_to := coalesce(nullif(btrim(new.bills_to), ''), o.customer_name);
      new.recipient_email := coalesce(new.recipient_email, o.customer_email);
      new.due_date := coalesce(new.due_date, o.due_date);
    end if;
    new.bills_from := coalesce(nullif(btrim(new.bills_from), ''), ws.name);
    new.created_at := now();
    if private.is_client() then
      new.created_by := (select auth.uid());
    end if;
  else
    if new.order_id is distinct from old.order_id and new.order_id is not null then
      raise exception 'an invoice keeps the order it was made from' using errcode = '55000';
    end if;
    if new.status <> old.status and not new.status = any (private.invoice_next_statuses(old.status)) then
      raise exception 'invoice % cannot go from % to %', coalesce(old.invoice_number, '(draft)'), old.status, new.status
        using errcode = '55000',
        hint = case when old.status = 'draft' then 'send it (status sent), or delete the draft'
                    when cardinality(private.invoice_next_statuses(old.status)) = 0 then old.status || ' is final'
                    else 'next: ' || array_to_string(private.invoice_next_statuses(old.status), ', ') end;
    end if;
    if not system then
      if old.status <> 'draft' and (to_jsonb(new) - '{status,updated_at,cancelled_at,balance_due,payment_status}'::text[]
                                    <> to_jsonb(old) - '{status,updated_at,cancelled_at,balance_due,payment_status}'::text[]) then
        raise exception 'invoice % is %: it cannot be edited, only paid or cancelled', old.invoice_number, old.status
          using errcode = '55000', hint = 'cancel it and issue a new one';
      end if;
      if new.status <> old.status and not (new.status = 'sent' and old.status = 'draft' or new.status = 'cancelled') then
        raise exception 'an invoice becomes % by itself', new.status using errcode = '55000',
          hint = case new.status when 'paid' then 'record_payment moves it to paid'
                                when 'overdue' then 'the minute tick marks it' else 'record_refund moves it back' end;
      end if;
      if (new.number, new.invoice_number, new.invoice_year, new.amount_paid, new.issued_date, new.currency)
         is distinct from (old.number, old.invoice_number, old.invoice_year, old.amount_paid, old.issued_date, old.currency) then
        raise exception 'number, amount paid, issue date and currency of an invoice are the database''s' using errcode = '42501',
          hint = 'payments go through record_payment';
      end if;
    end if;
    if new.status = 'cancelled' and old.status <> 'cancelled' then
      if old.amount_paid > 0 then
        raise exception 'invoice % has % % paid: refund it before cancelling', old.invoice_number, old.amount_paid,
          old.currency using errcode = '55000', hint = 'record_refund';
      end if;
      new.cancelled_at := now();
    end if;
    new.updated_at := now();
  end if;

  if new.contact_id is not null and (tg_op = 'INSERT' or new.contact_id is distinct from old.contact_id) then
    select * into ct from public.contacts c where c.id = new.contact_id and c.workspace_id = new.workspace_id;
    if not found then
      raise exception 'contact not found in this workspace' using errcode = 'P0002';
    end if;
    new.bills_to := coalesce(nullif(btrim(new.bills_to), ''), nullif(btrim(ct.name), ''), '+' || ct.phone);
    new.recipient_email := coalesce(new.recipient_email, ct.email);
  end if;
  if new.status = 'draft' or tg_op = 'INSERT' then
    new := private.invoice_totals(new);
  end if;
  if tg_op = 'UPDATE' and old.status = 'draft' and new.status = 'sent' then
    if coalesce(btrim(new.bills_to), '') = '' then
      raise exception 'an invoice needs someone to bill: contact_id or bills_to' using errcode = '23502';
    end if;
    if new.total_amount <= 0 then
      raise exception 'an invoice is issued with something to pay (its total is %)', new.total_amount using errcode = '23514',
        hint = 'add lines to the draft first';
    end if;
    -- What the order was paid so far counts on its invoice: read under the
    -- order's lock, so a payment on the order in flight is waited for and
    -- counted, and one after it sees the invoice and is sent to it.
    if new.order_id is not null then
      select x.amount_paid into paid_so_far from public.orders x where x.id = new.order_id for no key update;
      new.amount_paid := least(new.total_amount, coalesce(paid_so_far, 0));
    end if;
    select * into ws from public.workspaces w where w.id = new.workspace_id;
    new.issued_date := now();
    new.sent_at := now();
    new.invoice_year := extract(year from new.issued_date at time zone ws.timezone)::integer;
    -- Last: the counter stays locked until commit, so concurrent issues of
    -- the workspace wait from here on, and a rollback gives the number back.
    new.number := private.next_gapless_number(new.workspace_id, 'invoice:' || new.invoice_year);
    new.invoice_number := private.format_order_number(ws.invoice_number_format, new.number, new.issued_date, ws.timezone);
    if new.amount_paid >= new.total_amount then
      new.status := 'paid';
      new.paid_at := now();
    end if;
  end if;
  return new;
end
$$;

-- Drafts are deleted; an issued invoice keeps its number (gapless), so it
-- is cancelled instead.
create function private.guard_invoice_delete()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if old.status <> 'draft' and exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
    raise exception 'invoice % is issued: cancel it instead of deleting it', old.invoice_number using errcode = '55000',
      hint = 'numbers stay gapless';
  end if;
  return old;
end
$$;

create function private.invoice_template_params(p jsonb, i public.invoices)
returns jsonb
language sql stable set search_path = ''
as $$
  select private.fill_template_tokens(p, jsonb_build_object(
    'invoice_number', i.invoice_number, 'title', coalesce(i.title, i.invoice_number), 'bills_to', i.bills_to,
    'total', i.total_amount::text, 'balance_due', i.balance_due::text, 'currency', i.currency,
    'issued_date', coalesce(to_char(i.issued_date at time zone tz.name, 'YYYY-MM-DD'), '-'),
    'due_date', coalesce(to_char(i.due_date at time zone tz.name, 'YYYY-MM-DD'), '-')))
    from (select private.workspace_timezone(i.workspace_id) as name) tz
$$;

-- Issued or overdue: the client hears of it when the workspace maps the
-- notice to a template. The invoice keeps the message (or why none went);
-- its status stands either way.
create function private.invoice_notice()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.send_invoice_notice(new.id, new.status::text::public.invoice_notice);
  return null;
end
$$;

-- Sends an invoice's notice when the workspace maps it to a template. A
-- template with a DOCUMENT header carries the invoice's PDF: until that is
-- stored the notice waits with the document's job (invoice_document_stored
-- sends it). The invoice keeps the message, or why none went.
create function private.send_invoice_notice(p_invoice uuid, p_notice public.invoice_notice)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  inv public.invoices;
  map public.invoice_templates;
  with_document boolean;
  sent record;
begin
  select * into inv from public.invoices i where i.id = p_invoice;
  select * into map from public.invoice_templates t
   where t.workspace_id = inv.workspace_id and t.notice = p_notice and t.is_active;
  if not found then
    return;
  end if;
  select upper(coalesce(private.template_component(t.components, 'HEADER') ->> 'format', '')) = 'DOCUMENT'
    into with_document from public.message_templates t where t.id = map.template_id;
  if with_document and inv.pdf_path is null then
    insert into private.invoice_documents as d (invoice_id, notice) values (inv.id, p_notice)
    on conflict (invoice_id) do update set notice = excluded.notice, next_attempt_at = least(d.next_attempt_at, now());
    perform private.poke_function('invoices');
    return;
  end if;
  select * into sent from private.send_client_notice(inv.workspace_id, inv.contact_id, map.template_id,
                                                     private.invoice_template_params(map.parameters, inv), 'invoice', inv.id,
                                                     case when with_document then inv.pdf_path end,
                                                     case when with_document then inv.invoice_number || '.pdf' end);
  perform set_config('threadline.invoice_system', 'on', true);
  update public.invoices i set message_id = sent.message_id, message_error = sent.error where i.id = inv.id;
  perform set_config('threadline.invoice_system', 'off', true);
end
$$;

-- Hook events -----------------------------------------------------------------------

create function private.invoice_event_data(i public.invoices)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object('invoice', jsonb_strip_nulls(jsonb_build_object(
    'id', i.id, 'invoice_number', i.invoice_number, 'title', i.title, 'contact_id', i.contact_id, 'order_id', i.order_id,
    'bills_to', i.bills_to, 'status', i.status, 'currency', i.currency, 'total_amount', i.total_amount,
    'amount_paid', i.amount_paid, 'balance_due', i.balance_due, 'payment_status', i.payment_status,
    'issued_date', i.issued_date, 'due_date', i.due_date, 'pdf_path', i.pdf_path)))
$$;

-- A status step, and money moved on an issued invoice. What an order had
-- been paid when its invoice is issued is not a payment of the invoice:
-- it came as order.payment already.
create function private.invoice_hook_events()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  events private.new_hook_event[] := '{}';
begin
  if not private.workspace_has_hooks(new.workspace_id) then
    return null;
  end if;
  if new.status <> old.status then
    events := events || row(new.workspace_id, null, 'invoice.status_changed',
      private.invoice_event_data(new) || jsonb_build_object('previous_status', old.status))::private.new_hook_event;
  end if;
  if new.amount_paid <> old.amount_paid and old.status <> 'draft' then
    events := events || row(new.workspace_id, null, 'invoice.payment',
      private.invoice_event_data(new) || jsonb_build_object('amount', new.amount_paid - old.amount_paid))::private.new_hook_event;
  end if;
  if cardinality(events) > 0 then
    perform private.emit_hook_events(events);
  end if;
  return null;
end
$$;

-- Documents -------------------------------------------------------------------------

-- Every issued invoice gets its PDF (the invoices function renders it).
create function private.queue_invoice_document()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.invoice_documents (invoice_id) values (new.id) on conflict (invoice_id) do nothing;
  perform private.poke_function('invoices');
  return null;
end
$$;

-- The invoices function's claim: due documents, leased, with all the PDF
-- shows (amounts as numeric text; dates as the notices write them: days
-- in the workspace's time zone, as the invoice's year is).
create function private.claim_invoice_documents(p_limit integer default 10, p_lease_seconds integer default 120)
returns setof jsonb
language plpgsql security definer set search_path = ''
as $$
begin
  return query
  with due as (
    select d.invoice_id from private.invoice_documents d
     where d.next_attempt_at <= now() and (d.locked_until is null or d.locked_until < now())
     order by d.next_attempt_at
     limit least(greatest(coalesce(p_limit, 10), 1), 100)
     for update skip locked
  ), claimed as (
    update private.invoice_documents d
       set locked_until = now() + make_interval(secs => p_lease_seconds), attempts = d.attempts + 1
      from due where d.invoice_id = due.invoice_id
    returning d.invoice_id, d.attempts
  )
  select jsonb_build_object(
           'invoice_id', i.id, 'workspace_id', i.workspace_id, 'invoice_number', i.invoice_number,
           'title', i.title, 'description', i.description, 'notes', i.notes,
           'bills_from', i.bills_from, 'bills_to', i.bills_to, 'recipient_email', i.recipient_email,
           'currency', i.currency,
           'items', (select coalesce(jsonb_agg(jsonb_build_object(
                              'name', x ->> 'name', 'quantity', x ->> 'quantity',
                              'unit_price', (x ->> 'unit_price')::numeric(12, 2)::text,
                              'total', (x ->> 'total')::numeric(12, 2)::text) order by n), '[]'::jsonb)
                       from jsonb_array_elements(i.items) with ordinality e(x, n)),
           'subtotal', i.subtotal::text, 'discount', i.discount::text, 'tax_rate', i.tax_rate::text,
           'tax', i.tax::text, 'total_amount', i.total_amount::text, 'amount_paid', i.amount_paid::text,
           'balance_due', i.balance_due::text,
           'issued_at', i.issued_date,
           'issued_on', to_char(i.issued_date at time zone w.timezone, 'YYYY-MM-DD'),
           'due_on', to_char(i.due_date at time zone w.timezone, 'YYYY-MM-DD'),
           'attempts', c.attempts)
    from claimed c
    join public.invoices i on i.id = c.invoice_id
    join public.workspaces w on w.id = i.workspace_id;
end
$$;

-- The document is in Storage: the invoice points at it, the job leaves the
-- queue and the notice that waited for it goes.
create function private.invoice_document_stored(p_invoice uuid, p_path text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  waiting public.invoice_notice;
  inv public.invoices;
begin
  select * into inv from public.invoices i where i.id = p_invoice for no key update;
  if not found or p_path !~ ('^' || inv.workspace_id::text || '/invoices/[^/]+\.pdf$') then
    raise exception 'no invoice % for a document at %', p_invoice, p_path using errcode = 'P0002';
  end if;
  delete from private.invoice_documents d where d.invoice_id = p_invoice returning d.notice into waiting;
  perform set_config('threadline.invoice_system', 'on', true);
  update public.invoices i set pdf_path = p_path where i.id = p_invoice;
  perform set_config('threadline.invoice_system', 'off', true);
  if waiting is not null and inv.status <> 'cancelled' then
    perform private.send_invoice_notice(p_invoice, waiting);
  end if;
end
$$;

-- Rendering or storing failed: tried again with backoff (1, 2, 4 ... 30
-- minutes); after five attempts the job ends and a notice that waited for
-- the document says why it did not go.
create function private.invoice_document_failed(p_invoice uuid, p_error text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  d private.invoice_documents;
begin
  select * into d from private.invoice_documents x where x.invoice_id = p_invoice for update;
  if not found then
    return;
  end if;
  if d.attempts < 5 then
    update private.invoice_documents x
       set locked_until = null, last_error = left(p_error, 1000),
           next_attempt_at = now() + least(interval '30 minutes', interval '1 minute' * power(2, d.attempts - 1))
     where x.invoice_id = p_invoice;
    return;
  end if;
  delete from private.invoice_documents x where x.invoice_id = p_invoice;
  if d.notice is not null then
    perform set_config('threadline.invoice_system', 'on', true);
    update public.invoices i set message_error = 'the invoice''s PDF could not be made: ' || left(p_error, 500)
     where i.id = p_invoice;
    perform set_config('threadline.invoice_system', 'off', true);
  end if;
end
$$;

-- Wakes the invoices function when a document is due (a retry whose time
-- came, a poke lost to a restart).
create function private.sweep_invoice_documents()
returns integer
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from private.invoice_documents d
              where d.next_attempt_at <= now() and (d.locked_until is null or d.locked_until < now())) then
    perform private.poke_function('invoices');
    return 1;
  end if;
  return 0;
end
$$;

create function private.check_invoice_template()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.require_writer(new.workspace_id, 'admin', 'invoice_templates');
  perform private.check_notice_template(new.workspace_id, new.template_id, 'invoice', private.invoice_template_params(
    new.parameters, jsonb_populate_record(null::public.invoices, jsonb_build_object(
      'workspace_id', new.workspace_id, 'invoice_number', 'INV-2026-0001', 'title', 'Sample', 'bills_to', 'Customer',
      'currency', 'USD', 'total_amount', 1, 'balance_due', 1, 'issued_date', now(), 'due_date', now()))));
  new.created_at := case when tg_op = 'INSERT' then now() else old.created_at end;
  return new;
end
$$;

-- The tick: sent invoices past their due date become overdue, once (the
-- status moves once; the overdue notice goes with it).
create function private.mark_overdue_invoices()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  perform set_config('threadline.invoice_system', 'on', true);
  update public.invoices i set status = 'overdue', overdue_at = now()
   where i.status = 'sent' and i.due_date < now();
  get diagnostics n = row_count;
  perform set_config('threadline.invoice_system', 'off', true);
  return n;
end
$$;

-- Payments ----------------------------------------------------------------------------

-- A payment (sign 1) or refund (sign -1) on an order or an invoice, checked
-- and applied under the row locks of both, then entered in the ledger.
create function private.record_money(sign integer, amount numeric, currency text, p_order uuid, p_invoice uuid,
                                     method text, paid_at timestamptz, note text)
returns public.transactions
language plpgsql security definer set search_path = ''
as $$
declare
  o public.orders;
  inv public.invoices;
  ws uuid;
  role public.member_role;
  what text;
  cur text;
  paid numeric;
  due numeric;
  tx public.transactions;
  word text := case when sign > 0 then 'payment' else 'refund' end;
begin
  if (p_order is null) = (p_invoice is null) then
    raise exception 'a % is on an order or an invoice: give order_id or invoice_id (one of them)', word using errcode = '22023';
  end if;
  if amount is null or amount <= 0 or amount = 'NaN' or amount <> round(amount, 2) then
    raise exception 'a % amount is positive, in cents at most (got %)', word, amount using errcode = '22023';
  end if;
  -- Who may, before anything is locked: an outsider's call neither waits
  -- for nor holds another workspace's rows.
  ws := case when p_invoice is not null then (select i.workspace_id from public.invoices i where i.id = p_invoice)
             else (select x.workspace_id from public.orders x where x.id = p_order) end;
  role := case when ws is not null then private.workspace_role(ws) end;
  if ws is null or private.is_client() and role is null then
    raise exception '% not found', case when p_invoice is not null then 'invoice' else 'order' end using errcode = 'P0002';
  elsif private.is_client() and role < 'member' then
    raise exception 'only members record payments and refunds' using errcode = '42501';
  end if;
  if p_invoice is not null then
    select * into inv from public.invoices i where i.id = p_invoice and i.workspace_id = ws for no key update;
    if not found then
      raise exception 'invoice not found' using errcode = 'P0002';  -- deleted meanwhile
    end if;
    p_order := inv.order_id;
  end if;
  if p_order is not null then
    select * into o from public.orders x where x.id = p_order and x.workspace_id = ws for no key update;
    if not found then
      raise exception 'order not found' using errcode = 'P0002';  -- deleted meanwhile
    end if;
  end if;

  if p_invoice is not null then
    what := 'invoice ' || coalesce(inv.invoice_number, '(draft)');
    cur := inv.currency;
    paid := inv.amount_paid;
    due := inv.balance_due;
    if inv.status in ('draft', 'cancelled') then
      raise exception 'invoice % is %: payments are recorded on issued invoices', coalesce(inv.invoice_number, '(draft)'),
        inv.status using errcode = '55000', hint = case when inv.status = 'draft' then 'send it first' end;
    end if;
  else
    what := 'order ' || o.order_number;
    cur := o.currency;
    paid := o.amount_paid;
    due := o.balance_due;
    select * into inv from public.invoices i
     where i.order_id = o.id and i.status in ('sent', 'overdue', 'paid') limit 1;
    if found then
      raise exception 'order % is invoiced (%): record the % on the invoice', o.order_number, inv.invoice_number, word
        using errcode = '55000', hint = 'invoice_id => ' || inv.id;
    end if;
    inv := null;
  end if;
  if currency is distinct from cur then
    raise exception 'a % in % on % in %: amounts are not converted', word, coalesce(currency, '(no currency)'), what, cur
      using errcode = '22023', hint = 'record it in ' || cur;
  end if;
  if sign > 0 and amount > due then
    raise exception '% would overpay %: % % due, % % offered', word, what, due, cur, amount, cur using errcode = '23514',
      hint = 'record at most the balance due';
  elsif sign > 0 and o.id is not null and amount > o.balance_due then
    raise exception '% would overpay order %: % % due, % % offered', word, o.order_number, o.balance_due, cur, amount, cur
      using errcode = '23514';
  elsif sign < 0 and amount > paid then
    raise exception 'refund of % % is more than the % % paid on %', amount, cur, paid, cur, what using errcode = '23514';
  elsif sign < 0 and o.id is not null and amount > o.amount_paid then
    raise exception 'refund of % % is more than the % % paid on order %', amount, cur, o.amount_paid, cur, o.order_number
      using errcode = '23514';
  end if;

  perform set_config('threadline.ledger', 'on', true);
  if inv.id is not null then
    perform set_config('threadline.invoice_system', 'on', true);
    update public.invoices i
       set amount_paid = i.amount_paid + sign * amount,
           status = case when i.amount_paid + sign * amount >= i.total_amount then 'paid'
                         when i.status <> 'paid' then i.status
                         when i.due_date < now() then 'overdue' else 'sent' end::public.invoice_status,
           paid_at = case when i.amount_paid + sign * amount >= i.total_amount then now() else i.paid_at end
     where i.id = inv.id;
    perform set_config('threadline.invoice_system', 'off', true);
  end if;
  if o.id is not null then
    update public.orders x set amount_paid = x.amount_paid + sign * amount where x.id = o.id;
  end if;
  insert into public.transactions (workspace_id, transaction_type, category, amount, currency, description, order_id,
                                   invoice_id, contact_id, payment_method, date, metadata, created_by)
  values (ws, 'income', 'sales', sign * amount, cur,
          coalesce(note, initcap(word) || ' on ' || what), o.id, inv.id, coalesce(inv.contact_id, o.contact_id),
          method, coalesce(paid_at, now()), jsonb_build_object('kind', word), (select auth.uid()))
  returning * into tx;
  perform set_config('threadline.ledger', 'off', true);
  -- An order's payment is on the client's timeline through the order; an
  -- invoice by hand logs its own.
  if o.id is null and inv.contact_id is not null then
    insert into public.client_interactions (workspace_id, contact_id, user_id, interaction_type, subject, metadata, occurred_at)
    values (ws, inv.contact_id, (select auth.uid()), 'payment',
            format('%s of %s %s on invoice %s', initcap(word), amount, cur, inv.invoice_number),
            jsonb_build_object('invoice_id', inv.id, 'invoice_number', inv.invoice_number, 'amount', sign * amount,
                               'amount_paid', inv.amount_paid + sign * amount, 'currency', cur), clock_timestamp());
  end if;
  return tx;
end
$$;

create function public.record_payment(amount numeric, currency text, order_id uuid default null, invoice_id uuid default null,
                                      method text default null, paid_at timestamptz default null, note text default null)
returns public.transactions
language sql volatile security invoker set search_path = ''
as $$
  select private.record_money(1, amount, currency, order_id, invoice_id, method, paid_at, note)
$$;
comment on function public.record_payment(numeric, text, uuid, uuid, text, timestamptz, text) is
  'Records a payment of amount (in currency, which must be the order''s or invoice''s: no conversion) on an order or an invoice (one of order_id, invoice_id): moves amount_paid, balance_due and payment_status (an invoice made from an order counts on both), writes one income transaction (category sales, split by the auto_splits) and a payment entry on the client''s timeline. Overpaying is refused (23514). Members only.';

create function public.record_refund(amount numeric, currency text, order_id uuid default null, invoice_id uuid default null,
                                     method text default null, paid_at timestamptz default null, note text default null)
returns public.transactions
language sql volatile security invoker set search_path = ''
as $$
  select private.record_money(-1, amount, currency, order_id, invoice_id, method, paid_at, note)
$$;
comment on function public.record_refund(numeric, text, uuid, uuid, text, timestamptz, text) is
  'Records a refund: as record_payment, reversed (a negative income transaction); more than was paid is refused (23514). A paid invoice goes back to sent (or overdue, past its due date).';

-- amount_paid changed outside the ledger's functions (an agent order's
-- mirror, the service): the ledger gets the difference as income.
create function private.ledger_order_payment()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if coalesce(current_setting('threadline.ledger', true) = 'on', false) then
    return null;
  end if;
  insert into public.transactions (workspace_id, transaction_type, category, amount, currency, description, order_id,
                                   contact_id, payment_method, metadata, created_by)
  values (new.workspace_id, 'income', 'sales', new.amount_paid - old.amount_paid, new.currency,
          case when new.amount_paid > old.amount_paid then 'Payment' else 'Refund' end || ' on order ' || new.order_number,
          new.id, new.contact_id,
          case when current_setting('threadline.order_mirror', true) = 'on' then 'agent' end,
          jsonb_build_object('kind', 'ledger_adjustment'), (select auth.uid()));
  return null;
end
$$;

-- Reports -----------------------------------------------------------------------------

create view public.finance_monthly with (security_invoker = true) as
  select t.workspace_id, t.currency, date_trunc('month', t.date at time zone w.timezone)::date as month, t.transaction_type,
         t.category, sum(t.amount) as total, count(*)::integer as entries
    from public.transactions t
    join public.workspaces w on w.id = t.workspace_id
   group by 1, 2, 3, 4, 5;
comment on view public.finance_monthly is 'Income and expense per month (in the workspace''s time zone), category and currency (no conversion), under the caller''s RLS.';
comment on column public.finance_monthly.month is 'First day of the month, in the workspace''s time zone.';
comment on column public.finance_monthly.total is 'Sum of the amounts (refunds and reversals subtract).';
comment on column public.finance_monthly.entries is 'How many transactions.';

create view public.finance_profit with (security_invoker = true) as
  select t.workspace_id, t.currency, date_trunc('month', t.date at time zone w.timezone)::date as month,
         coalesce(sum(t.amount) filter (where t.transaction_type = 'income'), 0) as income,
         coalesce(sum(t.amount) filter (where t.transaction_type = 'expense'), 0) as expense,
         coalesce(sum(t.amount) filter (where t.transaction_type = 'income'), 0)
           - coalesce(sum(t.amount) filter (where t.transaction_type = 'expense'), 0) as profit
    from public.transactions t
    join public.workspaces w on w.id = t.workspace_id
   group by 1, 2, 3;
comment on view public.finance_profit is 'Income, expense and profit (income - expense) per month (in the workspace''s time zone) and currency, under the caller''s RLS.';
comment on column public.finance_profit.month is 'First day of the month, in the workspace''s time zone.';
comment on column public.finance_profit.income is 'Income of the month (net of refunds).';
comment on column public.finance_profit.expense is 'Expenses of the month.';
comment on column public.finance_profit.profit is 'income - expense.';

create view public.finance_allocations with (security_invoker = true) as
  select a.workspace_id, a.currency, date_trunc('month', a.date at time zone w.timezone)::date as month, a.category,
         sum(a.amount) as total, count(*)::integer as entries
    from public.transaction_allocations a
    join public.workspaces w on w.id = a.workspace_id
   group by 1, 2, 3, 4;
comment on view public.finance_allocations is 'What the auto-splits set aside per month (in the workspace''s time zone), split category and currency, under the caller''s RLS.';
comment on column public.finance_allocations.month is 'First day of the month, in the workspace''s time zone.';
comment on column public.finance_allocations.total is 'Sum of the allocations.';
comment on column public.finance_allocations.entries is 'How many allocations.';

create view public.receivables_aging with (security_invoker = true) as
  select i.workspace_id, i.currency,
         coalesce(sum(i.balance_due) filter (where i.due_date is null or i.due_date >= now()), 0) as current,
         coalesce(sum(i.balance_due) filter (where now() - i.due_date > interval '0' and now() - i.due_date <= interval '30 days'), 0) as days_1_30,
         coalesce(sum(i.balance_due) filter (where now() - i.due_date > interval '30 days' and now() - i.due_date <= interval '60 days'), 0) as days_31_60,
         coalesce(sum(i.balance_due) filter (where now() - i.due_date > interval '60 days' and now() - i.due_date <= interval '90 days'), 0) as days_61_90,
         coalesce(sum(i.balance_due) filter (where now() - i.due_date > interval '90 days'), 0) as days_90_plus,
         sum(i.balance_due) as total, count(*)::integer as invoices
    from public.invoices i
   where i.status in ('sent', 'overdue') and i.balance_due > 0
   group by 1, 2;
comment on view public.receivables_aging is 'What clients owe on issued invoices per currency, by days past due, under the caller''s RLS.';
comment on column public.receivables_aging.current is 'Not yet due (or no due date).';
comment on column public.receivables_aging.days_1_30 is 'Up to 30 days past due.';
comment on column public.receivables_aging.days_31_60 is '31 to 60 days past due.';
comment on column public.receivables_aging.days_61_90 is '61 to 90 days past due.';
comment on column public.receivables_aging.days_90_plus is 'More than 90 days past due.';
comment on column public.receivables_aging.total is 'All balances due.';
comment on column public.receivables_aging.invoices is 'How many invoices owe something.';

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger prepare_transaction before insert on public.transactions
  for each row execute function private.prepare_transaction();
create trigger refuse_transaction_change before update or delete on public.transactions
  for each row execute function private.refuse_transaction_change();
create trigger split_income after insert on public.transactions
  referencing new table as recorded for each statement execute function private.split_income();
create trigger transactions_to_goals after insert on public.transactions
  referencing new table as recorded for each statement execute function private.transactions_to_goals();

create trigger allocations_to_goals after insert on public.transaction_allocations
  referencing new table as allocated for each statement execute function private.allocations_to_goals();

create trigger check_auto_split before insert or update on public.auto_splits
  for each row execute function private.check_auto_split();
create trigger set_updated_at before update on public.auto_splits
  for each row execute function private.set_updated_at();
create trigger audit after insert or update or delete on public.auto_splits
  for each row execute function private.audit_change('auto_split');

create trigger prepare_goal before insert or update on public.financial_goals
  for each row execute function private.prepare_goal();
create trigger set_updated_at before update on public.financial_goals
  for each row execute function private.set_updated_at();
-- Not "update of status": the tally completes a goal without naming it.
create trigger recount_goals after update of timezone on public.workspaces
  for each row when (old.timezone is distinct from new.timezone) execute function private.recount_goals();
create trigger goal_completed_insert after insert on public.financial_goals
  for each row when (new.status = 'completed') execute function private.notify_goal_completed();
create trigger goal_completed after update on public.financial_goals
  for each row when (old.status <> 'completed' and new.status = 'completed') execute function private.notify_goal_completed();
create trigger audit after insert or update of title, goal_type, target_amount, category, currency, period_start, status
  or delete on public.financial_goals for each row execute function private.audit_change('financial_goal');

create trigger prepare_invoice before insert or update on public.invoices
  for each row execute function private.prepare_invoice();
create trigger guard_invoice_delete before delete on public.invoices
  for each row execute function private.guard_invoice_delete();
create trigger invoice_notice after update of status on public.invoices
  for each row when (old.status in ('draft', 'sent') and new.status in ('sent', 'overdue') and old.status <> new.status)
  execute function private.invoice_notice();
create trigger queue_invoice_document after update of status on public.invoices
  for each row when (old.number is null and new.number is not null)
  execute function private.queue_invoice_document();
create trigger hook_events after update of status, amount_paid on public.invoices
  for each row when (old.status <> new.status or old.amount_paid <> new.amount_paid)
  execute function private.invoice_hook_events();
create trigger audit after insert or update of status, title, items, discount, tax_rate, due_date, contact_id or delete
  on public.invoices for each row execute function private.audit_change('invoice');

create trigger check_invoice_template before insert or update on public.invoice_templates
  for each row execute function private.check_invoice_template();
create trigger set_updated_at before update on public.invoice_templates
  for each row execute function private.set_updated_at();
create trigger audit after insert or update or delete on public.invoice_templates
  for each row execute function private.audit_change('invoice_template');

create trigger ledger_order_payment after update of amount_paid on public.orders
  for each row when (old.amount_paid is distinct from new.amount_paid) execute function private.ledger_order_payment();

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.transactions enable row level security;
alter table public.transaction_allocations enable row level security;
alter table public.auto_splits enable row level security;
alter table public.financial_goals enable row level security;
alter table public.invoices enable row level security;
alter table public.invoice_templates enable row level security;
alter table public.transactions alter column workspace_id set (n_distinct = 500);
alter table public.transaction_allocations alter column workspace_id set (n_distinct = 500);
alter table public.auto_splits alter column workspace_id set (n_distinct = 500);
alter table public.financial_goals alter column workspace_id set (n_distinct = 500);
alter table public.invoices alter column workspace_id set (n_distinct = 500);
alter table public.invoice_templates alter column workspace_id set (n_distinct = 500);

revoke all on public.transactions, public.transaction_allocations, public.auto_splits, public.financial_goals,
  public.invoices, public.invoice_templates, public.finance_monthly, public.finance_profit, public.finance_allocations,
  public.receivables_aging from anon, authenticated;

-- Everyone in the workspace reads the books; members enter expenses and
-- other income (payments go through record_payment), make and send
-- invoices; admins keep the split rules, goals and invoice templates.
grant select on public.transactions, public.transaction_allocations, public.auto_splits, public.financial_goals,
  public.invoices, public.invoice_templates, public.finance_monthly, public.finance_profit, public.finance_allocations,
  public.receivables_aging to authenticated;
grant insert (id, workspace_id, transaction_type, category, amount, currency, description, contact_id, payment_method,
              date, metadata)
  on public.transactions to authenticated;
grant insert (id, workspace_id, name, split_type, value, category, is_active) on public.auto_splits to authenticated;
grant update (name, split_type, value, category, is_active) on public.auto_splits to authenticated;
grant delete on public.auto_splits, public.financial_goals, public.invoices, public.invoice_templates to authenticated;
grant insert (id, workspace_id, title, goal_type, target_amount, category, currency, period_start, status)
  on public.financial_goals to authenticated;
grant update (title, goal_type, target_amount, category, currency, period_start, status) on public.financial_goals to authenticated;
grant insert (id, workspace_id, order_id, contact_id, bills_from, bills_to, recipient_email, title, description, items,
              discount, tax_rate, due_date, notes)
  on public.invoices to authenticated;
grant update (contact_id, bills_from, bills_to, recipient_email, title, description, items, discount, tax_rate, due_date,
              notes, status)
  on public.invoices to authenticated;
grant insert (id, workspace_id, notice, template_id, parameters, is_active) on public.invoice_templates to authenticated;
grant update (template_id, parameters, is_active) on public.invoice_templates to authenticated;

create policy transactions_select on public.transactions for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy transactions_insert on public.transactions for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy transaction_allocations_select on public.transaction_allocations for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy auto_splits_select on public.auto_splits for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy auto_splits_insert on public.auto_splits for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy auto_splits_update on public.auto_splits for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy auto_splits_delete on public.auto_splits for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy financial_goals_select on public.financial_goals for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy financial_goals_insert on public.financial_goals for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy financial_goals_update on public.financial_goals for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy financial_goals_delete on public.financial_goals for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy invoices_select on public.invoices for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy invoices_insert on public.invoices for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy invoices_update on public.invoices for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy invoices_delete on public.invoices for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy invoice_templates_select on public.invoice_templates for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy invoice_templates_insert on public.invoice_templates for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy invoice_templates_update on public.invoice_templates for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy invoice_templates_delete on public.invoice_templates for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

revoke all on function private.lock_ledger(uuid, boolean), private.prepare_transaction(), private.refuse_transaction_change(),
  private.split_income(), private.allocations_for(uuid, numeric), private.add_to_goals(private.goal_change[]),
  private.transactions_to_goals(), private.goal_amount(public.financial_goals), private.prepare_goal(),
  private.notify_goal_completed(), private.recount_goals(), private.check_auto_split(), private.allocations_to_goals(),
  private.invoice_totals(public.invoices), private.invoice_next_statuses(public.invoice_status), private.prepare_invoice(),
  private.guard_invoice_delete(), private.invoice_template_params(jsonb, public.invoices), private.invoice_notice(),
  private.send_invoice_notice(uuid, public.invoice_notice), private.invoice_event_data(public.invoices),
  private.invoice_hook_events(), private.queue_invoice_document(),
  private.claim_invoice_documents(integer, integer), private.invoice_document_stored(uuid, text),
  private.invoice_document_failed(uuid, text), private.sweep_invoice_documents(),
  private.check_invoice_template(), private.mark_overdue_invoices(),
  private.record_money(integer, numeric, text, uuid, uuid, text, timestamptz, text), private.ledger_order_payment()
  from public;
revoke all on function public.record_payment(numeric, text, uuid, uuid, text, timestamptz, text),
  public.record_refund(numeric, text, uuid, uuid, text, timestamptz, text) from public, anon;
-- The checks are record_money's (the caller's role in the order's or
-- invoice's workspace, first); the public wrappers run as the caller.
grant execute on function private.record_money(integer, numeric, text, uuid, uuid, text, timestamptz, text)
  to authenticated, service_role;
grant execute on function public.record_payment(numeric, text, uuid, uuid, text, timestamptz, text),
  public.record_refund(numeric, text, uuid, uuid, text, timestamptz, text) to authenticated, service_role;

insert into private.tick_steps (name, fn, position) values
  ('overdue_invoices', 'private.mark_overdue_invoices', 95),
  ('invoice_documents', 'private.sweep_invoice_documents', 96);
