-- Extensions that postgres may create on hosted only because supautils
-- creates them for it: it runs CREATE EXTENSION as supabase_admin when the
-- extension is on its privileged list, then the extension's after-create
-- script. Nothing local intercepts CREATE EXTENSION, so the ones the
-- migrations ask for are made here, ahead of them, with the grants those
-- scripts give; the migrations' `create extension if not exists` then finds
-- them. An extension that is neither privileged on hosted nor trusted stays
-- out of reach of postgres, here as there.

-- pg_cron (supautils pins it to pg_catalog), then its after-create grants.
create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all on sequences to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all on tables to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all on functions to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
revoke trigger on cron.job_run_details from postgres;

-- plpgsql_check, which `supabase db lint` creates for its run; on hosted
-- supautils makes it for postgres.
create extension if not exists plpgsql_check with schema extensions;
