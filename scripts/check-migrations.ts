// Until the first release, migrations are one file per module, edited in
// place: every function, table, view, type, index, trigger and policy is
// defined once, in its final form. This check fails when a definition
// appears twice (a fix-forward redefinition), when a module drops what an
// earlier one made, or when a function is created with "or replace", which
// would let a second definition slip through silently.
//
//   deno run --allow-read scripts/check-migrations.ts [migrations dir]

export type Finding = { file: string; line: number; message: string };

// Top-level statements of a SQL file with the line each starts on; quoted
// text, dollar-quoted bodies and comments never split a statement.
export function statements(sql: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = sql.slice(start, end);
    const lead = raw.match(/^(\s|--[^\n]*\n)*/)?.[0] ?? "";
    const text = raw.slice(lead.length).trim();
    if (text) out.push({ text, line: sql.slice(0, start + lead.length).split("\n").length });
    start = end + 1;
  };
  while (i < sql.length) {
    const two = sql.slice(i, i + 2);
    if (two === "--") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (two === "/*") {
      i = sql.indexOf("*/", i + 2) + 2;
    } else if (sql[i] === "'" || sql[i] === '"') {
      const q = sql[i];
      i++;
      while (i < sql.length && !(sql[i] === q && sql[i + 1] !== q)) i += sql[i] === q ? 2 : 1;
      i++;
    } else if (sql[i] === "$") {
      const tag = sql.slice(i).match(/^\$([A-Za-z_][A-Za-z0-9_]*)?\$/)?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? sql.length : end + tag.length;
      } else i++;
    } else if (sql[i] === ";") {
      push(i);
      i++;
    } else i++;
  }
  push(sql.length);
  return out;
}

const normalize = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

// The object a statement defines, as "kind name", or null.
export function definedObject(text: string): string | null {
  const s = normalize(text);
  let m = s.match(/^create (or replace )?function ([\w."]+)\s*\(/);
  if (m) {
    // Overloads differ by argument types; names and defaults do not matter.
    const args = argumentTypes(text.slice(text.indexOf("(")));
    return `function ${m[2]}(${args})`;
  }
  m = s.match(/^create (unlogged )?table (if not exists )?([\w."]+)/);
  if (m) return `table ${m[3]}`;
  m = s.match(/^create (or replace )?view ([\w."]+)/);
  if (m) return `view ${m[2]}`;
  m = s.match(/^create type ([\w."]+)/);
  if (m) return `type ${m[1]}`;
  m = s.match(/^create (unique )?index (if not exists )?([\w"]+) on ([\w."]+)/);
  if (m) return `index ${m[3]}`;
  m = s.match(/^create (or replace )?(constraint )?trigger ([\w"]+) .*? on ([\w."]+)/);
  if (m) return `trigger ${m[3]} on ${m[4]}`;
  m = s.match(/^create policy ([\w"]+) on ([\w."]+)/);
  if (m) return `policy ${m[1]} on ${m[2]}`;
  return null;
}

function argumentTypes(fromParen: string): string {
  let depth = 0;
  let end = 0;
  for (; end < fromParen.length; end++) {
    if (fromParen[end] === "(") depth++;
    if (fromParen[end] === ")" && --depth === 0) break;
  }
  const inner = fromParen.slice(1, end);
  if (!inner.trim()) return "";
  return inner.split(/,(?![^(]*\))/).map((arg) => {
    const words = arg.replace(/\sdefault\s.*$/is, "").replace(/=.*$/s, "").trim().split(/\s+/);
    const rest = /^(in|out|inout|variadic)$/i.test(words[0]) ? words.slice(1) : words;
    // "name type" or just "type"; multi-word types (timestamp with time zone) keep their words.
    const typ = rest.length > 1 && !/^(double|character|timestamp|time|bit)$/i.test(rest[0])
      ? rest.slice(1)
      : rest;
    const t = typ.join(" ").toLowerCase();
    return aliases[t] ?? t;
  }).join(", ");
}

const aliases: Record<string, string> = {
  int: "integer",
  int4: "integer",
  int8: "bigint",
  int2: "smallint",
  bool: "boolean",
  varchar: "character varying",
  "timestamp with time zone": "timestamptz",
};

export function checkMigrations(files: { name: string; sql: string }[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    for (const st of statements(f.sql)) {
      const s = normalize(st.text);
      const at = { file: f.name, line: st.line };
      if (/^create or replace function /.test(s)) {
        findings.push({ ...at, message: 'use "create function": each function is defined once' });
      }
      if (/^drop (function|table|view|type|index|trigger|policy) /.test(s)) {
        findings.push({
          ...at,
          message: `"${s.slice(0, 60)}": edit the definition in its module instead`,
        });
      }
      if (/^alter table [\w."]+ add column /.test(s)) {
        findings.push({ ...at, message: "columns belong in the table's create table" });
      }
      const obj = definedObject(st.text);
      if (!obj) continue;
      const where = `${f.name}:${st.line}`;
      const first = seen.get(obj);
      if (first) findings.push({ ...at, message: `${obj} is already defined at ${first}` });
      else seen.set(obj, where);
    }
  }
  return findings;
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? new URL("../supabase/migrations/", import.meta.url).pathname;
  const names = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".sql")).map((e) => e.name)
    .sort();
  const files = names.map((name) => ({ name, sql: Deno.readTextFileSync(`${dir}/${name}`) }));
  const findings = checkMigrations(files);
  for (const f of findings) console.log(`${f.file}:${f.line}: ${f.message}`);
  const kinds = new Map<string, number>();
  for (const f of files) {
    for (const st of statements(f.sql)) {
      const obj = definedObject(st.text);
      if (obj) kinds.set(obj.split(" ")[0], (kinds.get(obj.split(" ")[0]) ?? 0) + 1);
    }
  }
  const plural: Record<string, string> = { index: "indexes", policy: "policies" };
  const counts = [...kinds].map(([k, n]) => `${n} ${plural[k] ?? k + "s"}`).join(", ");
  console.log(
    `${files.length} module files; ${counts}; ${
      findings.length ? findings.length + " problems" : "each defined once"
    }`,
  );
  if (findings.length) Deno.exit(1);
}
