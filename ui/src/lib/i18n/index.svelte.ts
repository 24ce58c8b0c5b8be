import th from "./th.json";
import en from "./en.json";

export type Lang = "th" | "en";
export type MessageKey = keyof typeof th;

// Thai is the source catalog: every key must exist in it; English falls back to Thai.
const catalogs: Record<Lang, Record<string, string>> = { th, en };

let current = $state<Lang>("th");

export const i18n = {
  get lang(): Lang {
    return current;
  },
  set lang(value: Lang) {
    current = value;
    document.documentElement.lang = value;
  },
};

/** The text of `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = catalogs[current][key] ?? catalogs.th[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ""));
}

/** A key that is built at run time (an enum label, an error key from the core). */
export function tk(key: string, vars: Record<string, string | number> = {}): string {
  return key in catalogs.th ? t(key as MessageKey, vars) : key;
}

/** The label of an enum value: label("risk", "red"). */
export function label(group: string, code: string): string {
  return tk(`enum.${group}.${code}`);
}

/** Every key that begins with `prefix`, in catalog order (the actions the audit names). */
export function catalogKeys(prefix: string): string[] {
  return Object.keys(catalogs.th).filter((k) => k.startsWith(prefix));
}

export { catalogs };
