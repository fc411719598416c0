-- An issued invoice's PDF: queued when it is numbered (sent, or paid at
-- once), claimed under a lease, stored, retried then given up; a notice
-- whose template has a DOCUMENT header waits for the PDF and then carries
-- it as the template's header (the message names the stored file); the
-- PDF outlives the messages that carried it; clients neither write the
-- invoice's pdf_path nor read the queue.
begin;
select plan(21);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('other') as other_ws \gset
insert into public.contacts (id, workspace_id, name, phone) values ('c0000000-0000-0000-0000-0000000000d1', :'ws', 'Ada Obi', '2348010000009');
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-0000000000d1', 'PN-DOC', '2348010000009') as conv \gset
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e000000-0000-0000-0000-0000000000d1', :'ws', 'c5000000-0000-0000-0000-0000000000d1', 'invoice_pdf', 'en', 'UTILITY', 'APPROVED',
   '[{"type":"HEADER","format":"DOCUMENT"},{"type":"BODY","text":"Invoice {{1}} attached."}]'),
  ('7e000000-0000-0000-0000-0000000000d2', :'ws', 'c5000000-0000-0000-0000-0000000000d1', 'plain', 'en', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Invoice {{1}} is overdue."}]');
insert into public.invoice_templates (workspace_id, notice, template_id, parameters) values
  (:'ws', 'sent', '7e000000-0000-0000-0000-0000000000d1', '["{invoice_number}"]'),
  (:'ws', 'overdue', '7e000000-0000-0000-0000-0000000000d1', '["{invoice_number}"]');
\set inv '''1d000000-0000-0000-0000-000000000001'''
\set inv2 '''1d000000-0000-0000-0000-000000000002'''
select tests.run_as('acme_member', format($$insert into public.invoices (id, workspace_id, contact_id, items) values (%L, %L, 'c0000000-0000-0000-0000-0000000000d1', '[{"name": "Fitting", "unit_price": 100}]'), (%L, %L, 'c0000000-0000-0000-0000-0000000000d1', '[{"name": "Hem", "unit_price": 20}]')$$, :inv, :'ws', :inv2, :'ws'));

-- Queued when issued; the notice waits for the document ----------------------------------------
select is((select count(*)::integer from private.invoice_documents where invoice_id in (:inv, :inv2)), 0, 'a draft has no document');
select tests.run_as('acme_member', format('update public.invoices set status = ''sent'' where id = %L', :inv));
select is((select (notice, attempts)::text from private.invoice_documents where invoice_id = :inv), '(sent,0)',
  'issuing queues the PDF, and the sent notice (a DOCUMENT header) waits for it');
select is((select (message_id, message_error) is null from public.invoices where id = :inv), true, 'no message yet, and no error');

-- Clients: no pdf_path, no queue --------------------------------------------------------------
select is(tests.error_as('acme_owner', format('update public.invoices set pdf_path = %L where id = %L', :'ws' || '/invoices/x.pdf', :inv)),
  '42501 permission denied for table invoices', 'pdf_path is the database''s');
select is(tests.error_as('acme_owner', 'select * from private.invoice_documents'), '42501 permission denied for table invoice_documents', 'the queue is private');
select is(tests.error_as('acme_owner', format('select private.invoice_document_stored(%L, %L)', :inv, :'ws' || '/invoices/x.pdf')),
  '42501 permission denied for function invoice_document_stored', 'and so is reporting a document');

-- The claim: leased, one taker ----------------------------------------------------------------
select is((select count(*)::integer from private.claim_invoice_documents(10, 120) d where d ->> 'invoice_id' = :inv), 1, 'claimed once');
select is((select count(*)::integer from private.claim_invoice_documents(10, 120) d where d ->> 'invoice_id' = :inv), 0, 'not again while leased');
update private.invoice_documents set locked_until = now() - interval '1 second' where invoice_id = :inv;
select is((select d - 'issued_at' - 'issued_on' - 'invoice_number' - 'workspace_id' - 'invoice_id' from private.claim_invoice_documents(10, 120) d where d ->> 'invoice_id' = :inv),
  '{"tax": "0.00", "items": [{"name": "Fitting", "total": "100.00", "quantity": "1", "unit_price": "100.00"}], "notes": null, "title": null, "due_on": null, "attempts": 2, "currency": "USD", "discount": "0.00", "subtotal": "100.00", "tax_rate": "0.00", "bills_to": "Ada Obi", "bills_from": "Acme Inc", "amount_paid": "0.00", "balance_due": "100.00", "description": null, "total_amount": "100.00", "recipient_email": null}'::jsonb,
  'a lapsed lease is claimed again, with all the PDF shows (amounts as numeric text)');

-- Stored: the notice goes, carrying it -------------------------------------------------------------
insert into storage.objects (bucket_id, name, metadata)
values ('media', :'ws' || '/invoices/' || :inv || '.pdf', '{"mimetype": "application/pdf", "size": 2048}');
select throws_ok(format('select private.invoice_document_stored(%L, %L)', :inv, :'other_ws' || '/invoices/' || :inv || '.pdf'),
  'P0002', format('no invoice %s for a document at %s', :inv, :'other_ws' || '/invoices/' || :inv || '.pdf'),
  'a document outside the invoice''s workspace folder is refused');
select lives_ok(format('select private.invoice_document_stored(%L, %L)', :inv, :'ws' || '/invoices/' || :inv || '.pdf'), 'stored');
select is((select count(*)::integer from private.invoice_documents where invoice_id = :inv), 0, 'the job is done');
select is((select (m.type, m.template_params, m.media_path, m.media_mime_type, m.media_filename, m.conversation_id, m.invoice_id)::text
             from public.invoices i join public.messages m on m.id = i.message_id where i.id = :inv),
  ('template', jsonb_build_object('body', jsonb_build_array(i.invoice_number), 'header', jsonb_build_object('type', 'document', 'filename', i.invoice_number || '.pdf')),
   :'ws' || '/invoices/' || :inv || '.pdf', 'application/pdf', i.invoice_number || '.pdf', :'conv'::uuid, :inv::uuid)::text,
  'the sent notice names the PDF as its header''s document, named by the invoice''s number')
  from public.invoices i where i.id = :inv;

-- The overdue notice reuses the stored PDF -----------------------------------------------------------
update public.invoices set due_date = now() - interval '1 day' where id = :inv;
select is(private.mark_overdue_invoices(), 1, 'overdue');
select is((select (m.media_path, (select count(*)::integer from private.invoice_documents where invoice_id = :inv))::text
             from public.invoices i join public.messages m on m.id = i.message_id where i.id = :inv),
  (:'ws' || '/invoices/' || :inv || '.pdf', 0)::text, 'the overdue notice carries the PDF at once, nothing rendered again');

-- The PDF outlives its messages ----------------------------------------------------------------------
delete from public.messages where invoice_id = :inv;
select is((select count(*)::integer from private.storage_removals where name = :'ws' || '/invoices/' || :inv || '.pdf'), 0,
  'deleting the messages that carried it does not queue the invoice''s PDF for removal');

-- Failures: retried with backoff, then given up with the reason ---------------------------------------
select tests.run_as('acme_member', format('update public.invoices set status = ''sent'' where id = %L', :inv2));
update private.invoice_documents set attempts = 1 where invoice_id = :inv2;
select private.invoice_document_failed(:inv2, 'Storage answered 503');
select is((select (attempts, last_error, next_attempt_at > now(), locked_until)::text from private.invoice_documents where invoice_id = :inv2),
  '(1,"Storage answered 503",t,)', 'a failure is retried later');
update private.invoice_documents set attempts = 5 where invoice_id = :inv2;
select private.invoice_document_failed(:inv2, 'Storage answered 503');
select is((select (message_id, message_error, (select count(*) from private.invoice_documents where invoice_id = :inv2))::text from public.invoices where id = :inv2),
  '(,"the invoice''s PDF could not be made: Storage answered 503",0)', 'after five attempts the notice says why it did not go');

-- Templates and stored headers ------------------------------------------------------------------------
select is(tests.error_as('acme_member', format($$select public.send_message(%L, template_name => 'plain', template_params => '["X"]', media_path => %L)$$, :'conv', :'ws' || '/invoices/' || :inv || '.pdf')),
  '22023 media_path goes with a template whose header is an image, video or document', 'a stored file needs a template with a media header');
select is(tests.error_as('acme_member', format($$select public.send_message(%L, template_name => 'invoice_pdf', template_params => '{"header": {"link": "https://x.example/a.pdf"}, "body": ["X"]}', media_path => %L)$$, :'conv', :'ws' || '/invoices/' || :inv || '.pdf')),
  '22023 the template''s document header is the stored file (media_path): give no header link', 'the header is the file or a link, not both');
select is(tests.error_as('acme_member', format($$select public.send_message(%L, template_name => 'invoice_pdf', template_params => '["X"]', media_path => %L)$$, :'conv', :'other_ws' || '/invoices/x.pdf')),
  format('22023 media_path is the name of a file in this workspace''s folder of the media bucket (%s/...)', :'ws'), 'only a file of the conversation''s workspace');
select * from finish();
rollback;
