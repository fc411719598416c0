import { describe, expect, it } from "vitest";
import { checkMigrations, definedObject, statements } from "../../scripts/check-migrations.ts";

const fn = (name: string, args: string, body = "select 1") =>
  `create function ${name}(${args}) returns int language sql as $$ ${body}; $$;\n`;

describe("check-migrations", () => {
  it("splits statements without breaking quoted text or function bodies", () => {
    const sql = "-- a; comment\ncreate table t (a text default 'x;y');\n" +
      fn("private.f", "a int", "select 1; select 2") + "select ';' /* ; */;";
    const st = statements(sql);
    expect(st.map((s) => s.text.slice(0, 15))).toEqual([
      "create table t ",
      "create function",
      "select ';' /* ;",
    ]);
    expect(st[0].line).toBe(2);
  });

  it("names overloads by their argument types, not their parameter names", () => {
    expect(definedObject(fn("private.f", "p_a integer, p_b text default null"))).toBe(
      "function private.f(integer, text)",
    );
    expect(definedObject(fn("private.f", "at timestamptz, n numeric(9, 2)"))).toBe(
      "function private.f(timestamptz, numeric(9, 2))",
    );
    expect(definedObject(fn("private.f", ""))).toBe("function private.f()");
  });

  it("accepts each object defined once, and overloads", () => {
    const findings = checkMigrations([
      { name: "a.sql", sql: fn("private.f", "a int") + "create table public.t (id int);" },
      {
        name: "b.sql",
        sql: fn("private.f", "a text") + "create policy p on public.t for select using (true);",
      },
    ]);
    expect(findings).toEqual([]);
  });

  it("reports a second definition, a drop, an added column and create or replace", () => {
    const findings = checkMigrations([
      { name: "a.sql", sql: fn("private.f", "a int") + "create table public.t (id int);" },
      {
        name: "b.sql",
        sql: "drop function private.f(int);\n" + fn("private.f", "b integer") +
          "alter table public.t add column x int;\n" +
          "create or replace function private.g() returns int language sql as $$ select 1 $$;",
      },
    ]);
    expect(findings.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      'b.sql:1 "drop function private.f(int)": edit the definition in its module instead',
      "b.sql:2 function private.f(integer) is already defined at a.sql:1",
      "b.sql:3 columns belong in the table's create table",
      'b.sql:4 use "create function": each function is defined once',
    ]);
  });
});
