import { api } from "./api";

/** How often the page asks how far a long copy is. */
const POLL_MS = 250;

/** Runs `work`, a command that copies the book or writes many pages (a backup, a key change,
 *  a batch of invitations), asking the shell how far it is meanwhile and passing each answer
 *  to `show`. An answer that arrives after the work ended is dropped, so a bar that reached
 *  its end never goes back; a failed ask is skipped, since the work reports its own failure. */
export async function withProgress<T>(
  show: (percent: number) => void,
  work: () => Promise<T>,
  ask: () => Promise<number> = api.copyProgress,
): Promise<T> {
  let running = true;
  const timer = setInterval(async () => {
    try {
      const percent = await ask();
      if (running) show(percent);
    } catch {
      // Skipped: the next ask, or the work's own outcome, says more.
    }
  }, POLL_MS);
  try {
    return await work();
  } finally {
    running = false;
    clearInterval(timer);
  }
}
