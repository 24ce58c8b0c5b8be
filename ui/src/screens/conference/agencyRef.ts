import type { Agency } from "../../bindings/Agency";
import type { Attendee } from "../../bindings/Attendee";
import type { Stored } from "../../bindings/Stored";

/**
 * The agency as typed or picked from the directory: the directory's when the name is there,
 * else the name as typed (none when empty).
 */
export function agencyRef(agencies: Stored<Agency>[], typed: string): Pick<Attendee, "agency_id" | "agency_name"> {
  const known = agencies.find((a) => a.name === typed);
  return { agency_id: known?.id ?? null, agency_name: known ? known.name : typed || null };
}
