// Dates as Thai users read and type them: Buddhist era (BE = CE + 543), day/month/year.
const BE = 543;

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-12-03" or an ISO instant → "3 ธ.ค. 2569" (th) / "3 Dec 2569" (en): BE in both. */
export function showDate(iso: string | null | undefined, lang: "th" | "en"): string {
  if (!iso) return "—";
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = d.toLocaleDateString(lang === "th" ? "th-TH" : "en-GB", { month: "short" });
  return `${d.getDate()} ${month} ${d.getFullYear() + BE}`;
}

export function showDateTime(iso: string | null | undefined, lang: "th" | "en"): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${showDate(iso, lang)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "dd/mm/yyyy" with a BE year (a CE year is accepted too) → "yyyy-mm-dd" (CE), or null. */
export function parseDate(text: string): string | null {
  const m = text.trim().match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
  if (!m) return null;
  let year = Number(m[3]);
  if (year > 2400) year -= BE;
  const iso = `${year}-${pad(Number(m[2]))}-${pad(Number(m[1]))}`;
  const d = new Date(`${iso}T00:00:00`);
  return d.getDate() === Number(m[1]) && d.getMonth() + 1 === Number(m[2]) ? iso : null;
}

/** "dd/mm/yyyy hh:mm" (BE or CE year), local time → ISO instant with offset, or null. */
export function parseDateTime(text: string): string | null {
  const m = text.trim().match(/^(\S+)(?:\s+(\d{1,2}):(\d{2}))?$/);
  if (!m) return null;
  const date = parseDate(m[1]);
  if (!date) return null;
  const d = new Date(`${date}T${pad(Number(m[2] ?? 0))}:${m[3] ?? "00"}:00`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An ISO date as the user would type it: "dd/mm/yyyy" in BE. */
export function typedDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${Number(y) + BE}`;
}

/** An instant as the user would type it: "dd/mm/yyyy hh:mm" in BE. */
export function typedDateTime(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear() + BE} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Now, as the user would type it. */
export function nowTyped(): string {
  return typedDateTime(new Date().toISOString());
}

/** Today, as the user would type it: "dd/mm/yyyy" in BE. */
export function todayTyped(): string {
  return nowTyped().split(" ")[0];
}
