#!/usr/bin/env bash
# Installs what the local stack needs, skipping whatever is already there.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# chromium: the public API's reference page is checked in a headless browser.
APT_PACKAGES=(postgresql-15 postgresql-15-cron postgresql-15-pgtap postgresql-15-plpgsql-check
  libtap-parser-sourcehandler-pgtap-perl curl chromium)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian package starts its own cluster on 5432; ours live elsewhere.
  if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
    $SUDO pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
fi

# npm ci when the lockfile changed since the last install.
stamp="$ROOT/node_modules/.threadline-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/package-lock.json" "$stamp"; then
  say "Installing npm dependencies (npm ci)"
  # npm 11 leaves other platforms' optional binaries (supabase, deno) out of
  # the lockfile and then `npm ci` calls it out of sync (npm/cli#9846);
  # `npm install --no-save` installs the same locked versions without
  # rewriting the lockfile.
  (cd "$ROOT" && { npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 \
    || npm install --no-save --no-audit --no-fund --loglevel=error >/dev/null; })
  cp "$ROOT/package-lock.json" "$stamp"
fi

# The api function serves Swagger UI's two files from its own folder, the
# way hosted bundles static files with a function (config.toml static_files).
mkdir -p "$ROOT/functions/api/assets"
for f in swagger-ui.css swagger-ui-bundle.js; do
  cmp -s "$ROOT/node_modules/swagger-ui-dist/$f" "$ROOT/functions/api/assets/$f" \
    || cp "$ROOT/node_modules/swagger-ui-dist/$f" "$ROOT/functions/api/assets/$f"
done

# The invoices function embeds DejaVu Sans in the PDFs it renders.
mkdir -p "$ROOT/functions/invoices/assets"
for f in DejaVuSans.ttf DejaVuSans-Bold.ttf; do
  cmp -s "$ROOT/node_modules/dejavu-fonts-ttf/ttf/$f" "$ROOT/functions/invoices/assets/$f" \
    || cp "$ROOT/node_modules/dejavu-fonts-ttf/ttf/$f" "$ROOT/functions/invoices/assets/$f"
done

# Deno reads npm packages from node_modules (nodeModulesDir: manual); caching
# compiles the entry points once so the first start is not slower than the rest.
"$BIN/deno" cache --quiet --config="$ROOT/deno.json" "$ROOT"/functions/*/index.ts \
  "$ROOT"/scripts/services/*.ts "$ROOT"/scripts/keys.ts
