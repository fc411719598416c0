-- Demo data for a newcomer after `npm start`. Idempotent: the CLI applies it
-- again whenever this file changes.
select 1;
