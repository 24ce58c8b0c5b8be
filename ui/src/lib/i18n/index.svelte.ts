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

export function t(key: MessageKey): string {
  return catalogs[current][key] ?? catalogs.th[key] ?? key;
}

export { catalogs };
