import { asCommandError } from "./api";
import { tk } from "./i18n/index.svelte";

/** Errors of a form, by field; `general` for the ones that belong to no field. */
export class FormErrors {
  byField = $state<Record<string, string>>({});
  general = $state<string | null>(null);

  clear() {
    this.byField = {};
    this.general = null;
  }

  /** Puts a command's error next to its field, keeping everything the user typed. */
  take(err: unknown) {
    const e = asCommandError(err);
    const wait = e.wait_secs ? ` ${tk("signin.wait", { n: e.wait_secs })}` : "";
    const text = tk(e.key) + wait;
    if (e.field) this.byField = { ...this.byField, [e.field]: text };
    else this.general = text;
  }

  /**
   * Clears the messages, then runs `work` (a command and what follows it); its error goes
   * where `take` puts it. True when `work` finished without one.
   */
  async attempt(work: () => Promise<unknown>): Promise<boolean> {
    this.clear();
    try {
      await work();
      return true;
    } catch (err) {
      this.take(err);
      return false;
    }
  }

  set(field: string, text: string) {
    this.byField = { ...this.byField, [field]: text };
  }

  get any(): boolean {
    return this.general !== null || Object.keys(this.byField).length > 0;
  }
}
