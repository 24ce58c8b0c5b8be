// Where the user is. One screen at a time; the case page carries the case id.
export type Screen =
  | { name: "loading" }
  | { name: "setup" }
  | { name: "signin" }
  | { name: "recover" }
  | { name: "passphrase"; forced: boolean }
  | { name: "today" }
  | { name: "inbox" }
  | { name: "team" }
  | { name: "lists" }
  | { name: "cases" }
  | { name: "intake" }
  | { name: "case"; id: string }
  | { name: "agencies" }
  | { name: "conferences" }
  | { name: "sync" }
  | { name: "statistics" }
  | { name: "backup" }
  | { name: "pdpa" }
  | { name: "audit" }
  | { name: "conference"; id: string }
  | { name: "users" };

let screen = $state<Screen>({ name: "loading" });

export const nav = {
  get screen(): Screen {
    return screen;
  },
  go(next: Screen) {
    screen = next;
  },
};
