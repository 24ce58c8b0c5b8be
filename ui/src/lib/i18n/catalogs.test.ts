import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import th from "./th.json";
import en from "./en.json";

const srcDir = join(__dirname, "..", "..");

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return svelteFiles(path);
    return name.endsWith(".svelte") ? [path] : [];
  });
}

/** Text a person would read that sits in markup rather than coming from t(). */
function hardCodedText(source: string): string[] {
  let markup = source
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "");
  // Expressions nest ({() => go({ name })}): strip innermost braces until none are left.
  while (/\{[^{}]*\}/.test(markup)) markup = markup.replace(/\{[^{}]*\}/g, "");
  const texts = [...markup.matchAll(/>([^<]+)</g)].map((m) => m[1].trim());
  const attrs = [...markup.matchAll(/\b(?:title|placeholder|aria-label|alt)="([^"]+)"/g)].map((m) => m[1]);
  return [...texts, ...attrs].filter((s) => /[\p{L}]/u.test(s));
}

describe("i18n catalogs", () => {
  it("Thai and English have exactly the same keys", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(th).sort());
  });

  it("no catalog entry is empty", () => {
    for (const [lang, catalog] of Object.entries({ th, en })) {
      for (const [key, value] of Object.entries(catalog)) {
        expect(value.trim(), `${lang}:${key}`).not.toBe("");
      }
    }
  });

  it("components take every visible string from the catalogs", () => {
    const files = svelteFiles(srcDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(hardCodedText(readFileSync(file, "utf8")), file).toEqual([]);
    }
  });

  it("finds hard-coded text when it is there", () => {
    expect(hardCodedText('<p>Cases</p><input placeholder="ชื่อ" />')).toEqual(["Cases", "ชื่อ"]);
    expect(hardCodedText("<p>{t('caselist.title')}</p>")).toEqual([]);
    expect(hardCodedText('<button onclick={() => go({ name: "x" })}>{t("a")}</button>')).toEqual([]);
  });
});
