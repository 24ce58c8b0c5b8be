// A form's draft: what is typed is saved inside the encrypted book a moment after each change
// (never in the WebView's storage), so the idle lock loses nothing; after sign-in the same
// user gets it back. Saving a draft is not activity for the idle lock (the keystrokes are).
import { onMount } from "svelte";
import { api } from "./api";

/** How long after the last change the draft is saved. */
const SAVE_AFTER_MS = 800;

export class Draft<T> {
  /** True when the form was filled from a kept draft. */
  restored = $state(false);
  #form: string;
  #ready = false;
  #last = "";

  /** Call while a component is created: `read` gives the form's state, `restore` puts a kept one back. */
  constructor(form: string, read: () => T, restore: (kept: T) => void) {
    this.#form = form;
    onMount(() => {
      api
        .draft(form)
        .then((body) => {
          if (body) {
            restore(JSON.parse(body) as T);
            this.restored = true;
          }
        })
        .catch(() => {})
        .finally(() => {
          this.#last = JSON.stringify(read());
          this.#ready = true;
        });
    });
    $effect(() => {
      const body = JSON.stringify(read());
      if (!this.#ready || body === this.#last) return;
      const timer = setTimeout(() => {
        this.#last = body;
        api.saveDraft(form, body).catch(() => {});
      }, SAVE_AFTER_MS);
      return () => clearTimeout(timer);
    });
  }

  /** The form was saved: the draft goes. */
  async drop() {
    this.#ready = false;
    await api.dropDraft(this.#form).catch(() => {});
  }

  /** The user does not want what was kept: the draft goes and `reset` empties the form. */
  async discard(reset: () => void) {
    await api.dropDraft(this.#form).catch(() => {});
    this.restored = false;
    reset();
  }
}
