// What the intake form holds while it is typed, before it becomes the core's input.
import type { Category } from "../../bindings/Category";
import type { IdKind } from "../../bindings/IdKind";
import type { PartyRole } from "../../bindings/PartyRole";
import type { Relationship } from "../../bindings/Relationship";
import type { Risk } from "../../bindings/Risk";
import type { Sex } from "../../bindings/Sex";
import type { Source } from "../../bindings/Source";
import type { ViolenceType } from "../../bindings/ViolenceType";

/** The area picked, province → district → subdistrict; "" where none is picked yet. */
export type AreaDraft = { province: string; district: string; subdistrict: string };

export type ClientDraft = {
  name_th: string; name_latin: string; id_kind: IdKind; id_number: string; id_country: string;
  birth_date: string; estimated_age: string; sex: Sex; nationality: string;
  languages: string[]; needs_interpreter: boolean; area: AreaDraft; address: string; phone: string;
};

export type CaseDraft = {
  source: Source; categories: Category[]; violence_types: ViolenceType[];
  risk: Risk; incident_at: string; incident_description: string; consent: string; legal_basis: string;
};

export type PartyDraft = { name_th: string; role: PartyRole; relationship: Relationship | "" };

/** `list` with `value` taken out if it is there, added if not: what a checkbox in a list does. */
export function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}
