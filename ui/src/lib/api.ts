import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "../bindings/AppInfo";
import type { Signer } from "../bindings/Signer";
import type { LetterKind } from "../bindings/LetterKind";
import type { LetterTemplate } from "../bindings/LetterTemplate";
import type { LetterDraft } from "../bindings/LetterDraft";
import type { InvitationRequest } from "../bindings/InvitationRequest";
import type { IssuedInvitations } from "../bindings/IssuedInvitations";
import type { CaseLetterRequest } from "../bindings/CaseLetterRequest";
import type { EarlierLetter } from "../bindings/EarlierLetter";
import type { IssuedCaseLetter } from "../bindings/IssuedCaseLetter";
import type { BookStatus } from "../bindings/BookStatus";
import type { KeyChanged } from "../bindings/KeyChanged";
import type { NewBook } from "../bindings/NewBook";
import type { Created } from "../bindings/Created";
import type { Session } from "../bindings/Session";
import type { Settings } from "../bindings/Settings";
import type { CaseFilter } from "../bindings/CaseFilter";
import type { CaseRow } from "../bindings/CaseRow";
import type { PersonInput } from "../bindings/PersonInput";
import type { IntakeCase } from "../bindings/IntakeCase";
import type { IntakeResult } from "../bindings/IntakeResult";
import type { CaseView } from "../bindings/CaseView";
import type { Person } from "../bindings/Person";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditRow } from "../bindings/AuditRow";
import type { AuditFilter } from "../bindings/AuditFilter";
import type { AuditCheck } from "../bindings/AuditCheck";
import type { EntryKind } from "../bindings/EntryKind";
import type { Status } from "../bindings/Status";
import type { Stored } from "../bindings/Stored";
import type { CarePlanGoal } from "../bindings/CarePlanGoal";
import type { Referral } from "../bindings/Referral";
import type { Agency } from "../bindings/Agency";
import type { Area } from "../bindings/Area";
import type { Invalid } from "../bindings/Invalid";
import type { CommandError } from "../bindings/CommandError";
import type { UserSummary } from "../bindings/UserSummary";
import type { ReferralStatus } from "../bindings/ReferralStatus";
import type { LetterRequest } from "../bindings/LetterRequest";
import type { IssuedLetter } from "../bindings/IssuedLetter";
import type { Role } from "../bindings/Role";
import type { Conference } from "../bindings/Conference";
import type { ConferenceDetail } from "../bindings/ConferenceDetail";
import type { ConferenceStatus } from "../bindings/ConferenceStatus";
import type { Attendee } from "../bindings/Attendee";
import type { ActionItem } from "../bindings/ActionItem";
import type { ActionStatus } from "../bindings/ActionStatus";
import type { OverdueAction } from "../bindings/OverdueAction";
import type { ProjectorScreen } from "../bindings/ProjectorScreen";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { Conflict } from "../bindings/Conflict";
import type { RefusedEntry } from "../bindings/RefusedEntry";
import type { SetAsideEntry } from "../bindings/SetAsideEntry";
import type { WaitingEntry } from "../bindings/WaitingEntry";
import type { RegisterPage } from "../bindings/RegisterPage";
import type { ReceivedLetter } from "../bindings/ReceivedLetter";
import type { ReceivedLetterInput } from "../bindings/ReceivedLetterInput";
import type { Period } from "../bindings/Period";
import type { DataSubjectRequest } from "../bindings/DataSubjectRequest";
import type { Breach } from "../bindings/Breach";
import type { PurgeCandidate } from "../bindings/PurgeCandidate";
import type { RequestKind } from "../bindings/RequestKind";
import type { DutyStatus } from "../bindings/DutyStatus";
import type { Statistics } from "../bindings/Statistics";
import type { CaseUpdate } from "../bindings/CaseUpdate";
import type { Closing } from "../bindings/Closing";
import type { OpenWork } from "../bindings/OpenWork";
import type { Clock } from "../bindings/Clock";
import type { ClockMark } from "../bindings/ClockMark";
import type { UnitChoice } from "../bindings/UnitChoice";
import type { PartyInput } from "../bindings/PartyInput";
import type { Worker } from "../bindings/Worker";
import type { InboxItem } from "../bindings/InboxItem";
import type { Today } from "../bindings/Today";
import type { MatchQuery } from "../bindings/MatchQuery";
import type { PossibleMatch } from "../bindings/PossibleMatch";
import type { Consent } from "../bindings/Consent";
import type { BasisGiven } from "../bindings/BasisGiven";
import type { Assessment } from "../bindings/Assessment";
import type { InterpreterSession } from "../bindings/InterpreterSession";
import type { VolunteerRole } from "../bindings/VolunteerRole";
import type { Volunteer } from "../bindings/Volunteer";
import type { AttachmentInfo } from "../bindings/AttachmentInfo";
import type { AreaLevel } from "../bindings/AreaLevel";
import type { CommunityCounts } from "../bindings/CommunityCounts";
import type { Lookup } from "../bindings/Lookup";

export type { CommandError };

/** Whatever a command threw, as the core's typed error. */
export function asCommandError(err: unknown): CommandError {
  if (err && typeof err === "object" && "key" in err) return err as CommandError;
  return { key: "error.storage", field: null, wait_secs: null };
}

/** A record and its files in one raw body, as the shell splits it: a 4-byte length, the
 *  record as JSON with the files' `sizes`, then the files' bytes. */
async function framed(record: object, files: File[]): Promise<Uint8Array> {
  const contents = await Promise.all(files.map((f) => f.arrayBuffer().then((b) => new Uint8Array(b))));
  const json = new TextEncoder().encode(JSON.stringify({ ...record, sizes: contents.map((c) => c.length) }));
  const raw = new Uint8Array(4 + json.length + contents.reduce((n, c) => n + c.length, 0));
  new DataView(raw.buffer).setUint32(0, json.length, true);
  raw.set(json, 4);
  let at = 4 + json.length;
  for (const c of contents) {
    raw.set(c, at);
    at += c.length;
  }
  return raw;
}

// One typed wrapper per Tauri command; the types are generated from Rust (ts-rs).
export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  bookStatus: () => invoke<BookStatus>("book_status"),
  createBook: (input: NewBook) => invoke<Created>("create_book", { input }),
  provinces: () => invoke<Area[]>("provinces"),
  recoverySheet: (code: string) => invoke<string>("recovery_sheet", { code }),
  signIn: (username: string, passphrase: string) => invoke<Session>("sign_in", { username, passphrase }),
  lock: () => invoke<void>("lock"),
  changePassphrase: (old: string, next: string) => invoke<void>("change_passphrase", { old, new: next }),
  recoverBook: (recoveryCode: string) => invoke<Session>("recover_book", { recoveryCode }),
  changeMasterKey: () => invoke<KeyChanged>("change_master_key"),
  saveSettings: (settings: Settings) => invoke<void>("save_settings", { settings }),
  users: () => invoke<UserSummary[]>("users"),
  setRole: (username: string, role: Role) => invoke<void>("set_role", { username, role }),
  disableUser: (username: string) => invoke<void>("disable_user", { username }),
  enableUser: (username: string) => invoke<void>("enable_user", { username }),
  renamedUsers: () => invoke<[string, string][]>("renamed_users"),
  addUser: (username: string, displayName: string, role: Role, passphrase: string) =>
    invoke<string>("add_user", { username, displayName, role, passphrase }),
  listCases: (filter: CaseFilter) => invoke<CaseRow[]>("list_cases", { filter }),
  countCases: (filter: CaseFilter) => invoke<number>("count_cases", { filter }),
  searchCases: (query: string) => invoke<CaseRow[]>("search_cases", { query }),
  checkThaiId: (raw: string) => invoke<Invalid | null>("check_thai_id", { raw }),
  intake: (person: PersonInput, kase: IntakeCase) => invoke<IntakeResult>("intake", { person, case: kase }),
  openCase: (id: string) => invoke<CaseView>("open_case", { id }),
  revealPerson: (id: string, reason: string) => invoke<Person>("reveal_person", { id, reason }),
  caseAudit: (caseId: string) => invoke<AuditRow[]>("case_audit", { caseId }),
  auditLog: (filter: AuditFilter) => invoke<AuditRow[]>("audit_log", { filter }),
  verifyAudit: () => invoke<AuditCheck>("verify_audit"),
  /** An entry with its photos and scans, saved in one step (`framed`). */
  addTimelineEntry: async (caseId: string, kind: EntryKind, body: string, occurredAt: string, files: File[] = []) =>
    invoke<string>("add_timeline_entry", await framed({ caseId, kind, body, occurredAt }, files)),
  entryAttachments: (entryId: string) => invoke<AttachmentInfo[]>("entry_attachments", { entryId }),
  /** A photo's thumbnail (JPEG bytes; empty for a PDF). Each look is audited. */
  attachmentThumbnail: (sha256: string) => invoke<ArrayBuffer>("attachment_thumbnail", { sha256 }),
  viewAttachment: (sha256: string) => invoke<ArrayBuffer>("view_attachment", { sha256 }),
  attachmentInfo: (sha256: string) => invoke<AttachmentInfo>("attachment_info", { sha256 }),
  /** A PDF attachment written to the exports folder, to open in the system's viewer. */
  exportAttachment: (sha256: string) => invoke<string>("export_attachment", { sha256 }),
  possibleMatches: (query: MatchQuery) => invoke<PossibleMatch[]>("possible_matches", { query }),
  mergePeople: (a: string, b: string, reason: string) => invoke<string>("merge_people", { a, b, reason }),
  setVolunteer: (personId: string, role: VolunteerRole | null, consentOn: string | null) =>
    invoke<void>("set_volunteer", { personId, role, consentOn }),
  addVolunteer: (caseId: string, personId: string) => invoke<string>("add_volunteer", { caseId, personId }),
  volunteers: () => invoke<Volunteer[]>("volunteers"),
  consents: (caseId: string) => invoke<Stored<Consent>[]>("consents", { caseId }),
  recordConsent: (consent: Consent) => invoke<string>("record_consent", { consent }),
  revokeConsent: (id: string, reason: string) => invoke<void>("revoke_consent", { id, reason }),
  attachConsentForm: (id: string, file: File) =>
    file.arrayBuffer().then((bytes) =>
      invoke<void>("attach_consent_form", new Uint8Array(bytes), { headers: { "consent-id": id } }),
    ),
  consentForm: (caseId: string) => invoke<string>("consent_form", { caseId }),
  assessments: (caseId: string) => invoke<Stored<Assessment>[]>("assessments", { caseId }),
  recordAssessment: (assessment: Assessment) => invoke<string>("record_assessment", { assessment }),
  interpreterSessions: (caseId: string) => invoke<Stored<InterpreterSession>[]>("interpreter_sessions", { caseId }),
  recordInterpreterSession: (record: InterpreterSession) => invoke<string>("record_interpreter_session", { record }),
  communityCounts: (period: Period, level: AreaLevel, within: string | null) =>
    invoke<CommunityCounts>("community_counts", { period, level, within }),
  communityPdf: (period: Period, level: AreaLevel, within: string | null) =>
    invoke<string>("community_pdf", { period, level, within }),
  /** The PNG emblem for letters; `null` removes it. */
  setEmblem: (file: File | null) =>
    (file ? file.arrayBuffer() : Promise.resolve(new ArrayBuffer(0))).then((bytes) =>
      invoke<boolean>("set_emblem", new Uint8Array(bytes)),
    ),
  hasEmblem: () => invoke<boolean>("has_emblem"),
  conferences: () => invoke<Stored<Conference>[]>("conferences"),
  planConference: (conference: Conference) => invoke<string>("plan_conference", { conference }),
  conferenceDetail: (id: string) => invoke<ConferenceDetail>("conference_detail", { id }),
  addAttendee: (attendee: Attendee) => invoke<string>("add_attendee", { attendee }),
  addAgendaCase: (conferenceId: string, caseId: string) =>
    invoke<string>("add_agenda_case", { conferenceId, caseId }),
  saveAgendaCase: (agendaCaseId: string, summary: string, riskAssessment: string, decisions: string) =>
    invoke<void>("save_agenda_case", { agendaCaseId, summary, riskAssessment, decisions }),
  addActionItem: (item: ActionItem) => invoke<string>("add_action_item", { item }),
  setActionStatus: (id: string, status: ActionStatus) => invoke<void>("set_action_status", { id, status }),
  setConferenceStatus: (id: string, status: ConferenceStatus) =>
    invoke<void>("set_conference_status", { id, status }),
  overdueActions: () => invoke<OverdueAction[]>("overdue_actions"),
  openProjector: () => invoke<void>("open_projector"),
  project: (agendaCaseId: string | null, blank: boolean, draft: string | null) =>
    invoke<void>("project", { agendaCaseId, blank, draft }),
  projectorView: () => invoke<ProjectorScreen>("projector_view"),
  conferenceMinutes: (id: string) => invoke<string>("conference_minutes", { id }),
  enrollDevice: (hubUrl: string, code: string, fingerprint: string, provinceKey: string) =>
    invoke<void>("enroll_device", { hubUrl, code, fingerprint, provinceKey }),
  syncNow: () => invoke<void>("sync_now"),
  syncStatus: () => invoke<SyncStatus>("sync_status"),
  conflicts: () => invoke<Conflict[]>("conflicts"),
  revealConflict: (id: string, reason: string) => invoke<Conflict>("reveal_conflict", { id, reason }),
  resolveConflict: (id: string, takeOther: boolean) => invoke<void>("resolve_conflict", { id, takeOther }),
  refusedEvents: () => invoke<RefusedEntry[]>("refused_events"),
  setAsideEvents: () => invoke<SetAsideEntry[]>("set_aside_events"),
  waitingRecords: () => invoke<WaitingEntry[]>("waiting_records"),
  openExport: (path: string) => invoke<void>("open_export", { path }),
  /** The bytes of a document of the private folder, to draw its pages for printing. */
  readExport: (path: string) => invoke<ArrayBuffer>("read_export", { path }),
  saveExportAs: (path: string) => invoke<string | null>("save_export_as", { path }),
  discardExport: (path: string) => invoke<void>("discard_export", { path }),
  changeStatus: (caseId: string, status: Status, reason: string) =>
    invoke<void>("change_status", { caseId, status, reason }),
  transferCase: (caseId: string, toUnit: string, reason: string, basis: BasisGiven | null = null) =>
    invoke<void>("transfer_case", { caseId, toUnit, reason, basis }),
  takeCase: (caseId: string) => invoke<void>("take_case", { caseId }),
  updateCase: (caseId: string, update: CaseUpdate) => invoke<void>("update_case", { caseId, update }),
  closeCase: (caseId: string, closing: Closing) => invoke<void>("close_case", { caseId, closing }),
  reopenCase: (caseId: string, reason: string) => invoke<void>("reopen_case", { caseId, reason }),
  openWork: (caseId: string) => invoke<OpenWork>("open_work", { caseId }),
  setFollowUp: (caseId: string, on: string | null) => invoke<void>("set_follow_up", { caseId, on }),
  markClock: (caseId: string, clock: Clock, mark: ClockMark) => invoke<void>("mark_clock", { caseId, clock, mark }),
  transferUnits: () => invoke<UnitChoice[]>("transfer_units"),
  updatePerson: (id: string, person: PersonInput) => invoke<Invalid[]>("update_person", { id, person }),
  addParty: (caseId: string, party: PartyInput) => invoke<string>("add_party", { caseId, party }),
  updateParty: (partyId: string, party: PartyInput) => invoke<void>("update_party", { partyId, party }),
  removeParty: (partyId: string) => invoke<void>("remove_party", { partyId }),
  workers: () => invoke<Worker[]>("workers"),
  handOver: (caseIds: string[], toUser: string, note: string) => invoke<number>("hand_over", { caseIds, toUser, note }),
  handOverAll: (fromUser: string, toUser: string, note: string) =>
    invoke<number>("hand_over_all", { fromUser, toUser, note }),
  acknowledgeHandover: (caseId: string) => invoke<void>("acknowledge_handover", { caseId }),
  setCoWorkers: (caseId: string, userIds: string[]) => invoke<void>("set_co_workers", { caseId, userIds }),
  inbox: () => invoke<InboxItem[]>("inbox"),
  inboxCount: () => invoke<number>("inbox_count"),
  acknowledgeReferral: (referralId: string) => invoke<void>("acknowledge_referral", { referralId }),
  today: () => invoke<Today>("today"),
  saveDraft: (form: string, body: string) => invoke<void>("save_draft", { form, body }),
  draft: (form: string) => invoke<string | null>("draft", { form }),
  drafts: () => invoke<string[]>("drafts"),
  dropDraft: (form: string) => invoke<void>("drop_draft", { form }),
  lookups: (kind: string) => invoke<Lookup[]>("lookups", { kind }),
  lookupLists: () => invoke<Lookup[]>("lookup_lists"),
  setLookup: (lookup: Lookup) => invoke<void>("set_lookup", { lookup }),
  touch: () => invoke<void>("touch"),
  carePlan: (caseId: string) => invoke<Stored<CarePlanGoal>[]>("care_plan", { caseId }),
  addGoal: (goal: CarePlanGoal) => invoke<string>("add_goal", { goal }),
  referrals: (caseId: string) => invoke<Stored<Referral>[]>("referrals", { caseId }),
  /** Without a consent in force, `basis` names the legal basis and the reason. */
  createReferral: (referral: Referral, basis: BasisGiven | null = null) =>
    invoke<string>("create_referral", { referral, basis }),
  updateGoal: (id: string, goal: CarePlanGoal) => invoke<void>("update_goal", { id, goal }),
  recordReferralReply: (id: string, status: ReferralStatus, reply: string) =>
    invoke<void>("record_referral_reply", { id, status, reply }),
  previewReferralLetter: (request: LetterRequest) => invoke<string>("preview_referral_letter", { request }),
  issueReferralLetter: (request: LetterRequest) => invoke<IssuedLetter>("issue_referral_letter", { request }),
  caseSummary: (caseId: string, full: boolean) => invoke<string>("case_summary", { caseId, full }),
  letterRegister: (year: number) => invoke<RegisterPage>("letter_register", { year }),
  registerPage: (year: number) => invoke<string>("register_page", { year }),
  cancelLetter: (id: string, reason: string) => invoke<void>("cancel_letter", { id, reason }),
  receivedLetters: (year: number) => invoke<Stored<ReceivedLetter>[]>("received_letters", { year }),
  /** A letter received and its scan, logged in one step (`framed`). */
  logReceivedLetter: async (letter: ReceivedLetterInput, scan: File | null) =>
    invoke<string>("log_received_letter", await framed({ letter }, scan ? [scan] : [])),
  cancelReceivedLetter: (id: string, reason: string) => invoke<void>("cancel_received_letter", { id, reason }),
  chooseFolder: () => invoke<string | null>("choose_folder"),
  backup: (dest: string) => invoke<string>("backup", { dest }),
  copyProgress: () => invoke<number>("copy_progress"),
  restoreBackup: (folder: string, recoveryCode: string) => invoke<Session>("restore_backup", { folder, recoveryCode }),
  resetPassphrase: (username: string, passphrase: string) => invoke<void>("reset_passphrase", { username, passphrase }),
  dataSubjectRequests: () => invoke<Stored<DataSubjectRequest>[]>("data_subject_requests"),
  logDataSubjectRequest: (caseNumber: string | null, kind: RequestKind, receivedOn: string, notes: string | null) =>
    invoke<void>("log_data_subject_request", { caseNumber, kind, receivedOn, notes }),
  answerDataSubjectRequest: (id: string, status: DutyStatus, notes: string) =>
    invoke<void>("answer_data_subject_request", { id, status, notes }),
  breaches: () => invoke<Stored<Breach>[]>("breaches"),
  recordBreach: (discoveredAt: string, description: string) => invoke<void>("record_breach", { discoveredAt, description }),
  breachNotified: (id: string) => invoke<void>("breach_notified", { id }),
  setRetentionDate: (caseId: string, date: string) => invoke<void>("set_retention_date", { caseId, date }),
  dueForPurge: () => invoke<PurgeCandidate[]>("due_for_purge"),
  purgeCase: (caseId: string, reason: string) => invoke<void>("purge_case", { caseId, reason }),
  purgeLog: () => invoke<AuditEntry[]>("purge_log"),
  recordOfProcessing: () => invoke<string>("record_of_processing"),
  statistics: (period: Period) => invoke<Statistics>("statistics", { period }),
  statisticsPdf: (period: Period) => invoke<string>("statistics_pdf", { period }),
  statisticsCsv: (period: Period) => invoke<string>("statistics_csv", { period }),
  agencies: () => invoke<Stored<Agency>[]>("agencies"),
  addAgency: (agency: Agency) => invoke<string>("add_agency", { agency }),
  updateAgency: (id: string, agency: Agency) => invoke<void>("update_agency", { id, agency }),
  signers: () => invoke<Stored<Signer>[]>("signers"),
  addSigner: (signer: Signer) => invoke<string>("add_signer", { signer }),
  updateSigner: (id: string, signer: Signer) => invoke<void>("update_signer", { id, signer }),
  ownPosition: () => invoke<string | null>("own_position"),
  setOwnPosition: (position: string) => invoke<void>("set_own_position", { position }),
  letterTemplate: (kind: LetterKind) => invoke<LetterTemplate>("letter_template", { kind }),
  saveLetterTemplate: (template: LetterTemplate) => invoke<void>("save_letter_template", { template }),
  resetLetterTemplate: (kind: LetterKind) => invoke<LetterTemplate>("reset_letter_template", { kind }),
  referralLetterDraft: (referralId: string) => invoke<LetterDraft>("referral_letter_draft", { referralId }),
  invitationDraft: (conferenceId: string) => invoke<LetterDraft>("invitation_draft", { conferenceId }),
  issueInvitations: (request: InvitationRequest) => invoke<IssuedInvitations>("issue_invitations", { request }),
  earlierLetters: (caseId: string) => invoke<EarlierLetter[]>("earlier_letters", { caseId }),
  enclosures: (caseId: string) => invoke<string[]>("enclosures", { caseId }),
  caseLetterDraft: (request: CaseLetterRequest) => invoke<LetterDraft>("case_letter_draft", { request }),
  previewCaseLetter: (request: CaseLetterRequest) => invoke<string>("preview_case_letter", { request }),
  issueCaseLetter: (request: CaseLetterRequest) => invoke<IssuedCaseLetter>("issue_case_letter", { request }),
  areas: (parent: string | null) => invoke<Area[]>("areas", { parent }),
};
