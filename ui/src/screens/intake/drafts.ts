// What the intake form holds while it is typed, before it becomes the core's input.
import type { Category } from "../../bindings/Category";
import type { IdKind } from "../../bindings/IdKind";
import type { PartyRole } from "../../bindings/PartyRole";
import type { Relationship } from "../../bindings/Relationship";
import type { Risk } from "../../bindings/Risk";
import type { Sex } from "../../bindings/Sex";
import type { Source } from "../../bindings/Source";
import type { ViolenceType } from "../../bindings/ViolenceType";
import type { Person } from "../../bindings/Person";
import { typedDate } from "../../lib/dates";
import type { PersonInput } from "../../bindings/PersonInput";
import type { Vulnerability } from "../../bindings/Vulnerability";

/** The area picked, province → district → subdistrict; "" where none is picked yet. */
export type AreaDraft = { province: string; district: string; subdistrict: string };

export type ClientDraft = {
  /** Recorded without a name: `description` tells them apart instead. */
  unnamed: boolean; description: string;
  name_th: string; name_latin: string; id_kind: IdKind; id_number: string; id_country: string;
  /** A Thai citizen whose card was not at hand: the number is added later. */
  id_to_follow: boolean;
  birth_date: string; estimated_age: string; sex: Sex; nationality: string;
  languages: string[]; needs_interpreter: boolean; area: AreaDraft; address: string; phone: string;
};

export type CaseDraft = {
  source: Source; categories: Category[]; violence_types: ViolenceType[];
  risk: Risk; incident_at: string; incident_description: string; consent: string; legal_basis: string;
};

export type PartyDraft = { name_th: string; anonymous: boolean; role: PartyRole; relationship: Relationship | "" };

/** A stored person as the client part of a form, to correct it. */
export function clientDraft(person: Person): ClientDraft {
  const code = person.area_code ?? "";
  return {
    unnamed: !person.name_th && !person.name_latin && !!person.description, description: person.description ?? "",
    id_to_follow: person.id_to_follow,
    name_th: person.name_th ?? "", name_latin: person.name_latin ?? "", id_kind: person.id_kind,
    id_number: person.id_number ?? "", id_country: person.id_country ?? "", birth_date: person.birth_date ? typedDate(person.birth_date) : "",
    estimated_age: person.estimated_age === null ? "" : String(person.estimated_age), sex: person.sex,
    nationality: person.nationality ?? "", languages: person.languages, needs_interpreter: person.needs_interpreter,
    area: { province: code.slice(0, 2), district: code.length >= 4 ? code.slice(0, 4) : "", subdistrict: code.length >= 6 ? code : "" },
    address: person.address ?? "", phone: person.phone ?? "",
  };
}

/** The client part of a form as the core takes it; `birth` already parsed (null when empty). */
export function personInput(p: ClientDraft, birth: string | null, flags: Vulnerability[] = []): PersonInput {
  const opt = (v: string) => (v.trim() ? v.trim() : null);
  return {
    name_th: p.unnamed ? null : opt(p.name_th), name_latin: p.unnamed ? null : opt(p.name_latin),
    description: p.unnamed ? opt(p.description) : null, anonymous: false,
    id_to_follow: p.id_kind === "thai_citizen" && p.id_to_follow && !p.id_number.trim(),
    id_kind: p.id_kind,
    id_number: opt(p.id_number), id_country: opt(p.id_country), birth_date: birth,
    estimated_age: p.estimated_age === "" ? null : Number(p.estimated_age), sex: p.sex,
    nationality: opt(p.nationality), languages: p.languages, needs_interpreter: p.needs_interpreter,
    area_code: p.area.subdistrict || p.area.district || p.area.province || null, address: opt(p.address),
    phone: opt(p.phone), flags,
  };
}

/** `list` with `value` taken out if it is there, added if not: what a checkbox in a list does. */
export function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}
