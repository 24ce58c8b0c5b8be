//! Tauri commands: parse, call the case book, map errors to message keys. No logic of their own.

use crate::exports;
use crate::settings::{self, Settings};
use crate::state::AppState;
use casebook::areas::Area;
use casebook::audit::AuditEntry;
use casebook::care::{CarePlanGoal, CaseParty, Incident, PartyRole, Relationship};
use casebook::case::{Case, CaseFilter, CaseInput, CaseRow, CaseView, Risk, Source, Status, ViolenceType};
use casebook::partners::{Agency, Referral, ReferralStatus};
use casebook::person::{Person, PersonInput};
use casebook::records::Stored;
use casebook::timeline::EntryKind;
use casebook::{Casebook, Invalid, KdfParams, NewBook, Session};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

/// What a failed command tells the UI: a catalog key, and the field it concerns.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    pub key: String,
    pub field: Option<String>,
    #[ts(type = "number | null")]
    pub wait_secs: Option<u64>,
}

impl CommandError {
    pub(crate) fn key(key: &str) -> CommandError {
        CommandError {
            key: key.into(),
            field: None,
            wait_secs: None,
        }
    }
}

impl From<casebook::Error> for CommandError {
    fn from(err: casebook::Error) -> CommandError {
        let field = match &err {
            casebook::Error::Invalid(invalid) => Some(invalid.field.clone()),
            _ => None,
        };
        let wait_secs = match &err {
            casebook::Error::WrongSecret { retry_after_secs } => Some(*retry_after_secs),
            casebook::Error::TooSoon { wait_secs } => Some(*wait_secs),
            _ => None,
        };
        // The message names the kind of failure only, never the data involved.
        if matches!(
            err,
            casebook::Error::Database(_) | casebook::Error::Io(_) | casebook::Error::Corrupt(_)
        ) {
            eprintln!("storage error: {err}");
        }
        CommandError {
            key: err.message_key(),
            field,
            wait_secs,
        }
    }
}

pub(crate) type Result<T> = std::result::Result<T, CommandError>;

/// Runs `work` on the unlocked book, counting as activity for the idle lock.
pub(crate) fn with_book<T>(
    state: &AppState,
    work: impl FnOnce(&mut Casebook, &Session) -> casebook::Result<T>,
) -> Result<T> {
    state.touch();
    let mut guard = state.book.lock().map_err(|_| CommandError::key("error.storage"))?;
    let unlocked = guard.as_mut().ok_or_else(|| CommandError::key("error.locked"))?;
    Ok(work(&mut unlocked.book, &unlocked.session)?)
}

/// What the UI shows in its footer about this installation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BookStatus {
    /// A case book exists in the data folder (else: first run).
    pub exists: bool,
    /// Who is signed in, if the book is unlocked.
    pub session: Option<Session>,
    /// The unit, once unlocked.
    pub unit: Option<casebook::UnitInfo>,
    pub settings: Settings,
}

/// Does not count as activity: the UI polls it to notice the idle lock.
#[tauri::command]
pub fn book_status(state: State<'_, AppState>) -> Result<BookStatus> {
    state.lock_if_idle();
    let guard = state.book.lock().map_err(|_| CommandError::key("error.storage"))?;
    let session = guard.as_ref().map(|u| u.session.clone());
    let unit = match guard.as_ref() {
        Some(unlocked) => Some(unlocked.book.unit()?),
        None => None,
    };
    Ok(BookStatus {
        exists: Casebook::exists(&state.data_dir),
        session,
        unit,
        settings: settings::load(&state.data_dir),
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Created {
    pub session: Session,
    /// Shown once, for the recovery sheet; never stored in clear.
    pub recovery_code: String,
}

#[tauri::command]
pub fn create_book(state: State<'_, AppState>, input: NewBook) -> Result<Created> {
    let new = NewBook {
        unit_code: input.unit_code.trim().to_uppercase(),
        admin_username: input.admin_username.trim().to_owned(),
        ..input
    };
    let (book, session, recovery) = Casebook::create(&state.data_dir, &new, KdfParams::default())?;
    state.open(book, session.clone())?;
    Ok(Created {
        session,
        recovery_code: recovery.display(),
    })
}

/// The provinces, for the first run (no book is open yet).
#[tauri::command]
pub fn provinces() -> Result<Vec<Area>> {
    Ok(casebook::areas::provinces()?)
}

#[tauri::command]
pub fn sign_in(state: State<'_, AppState>, username: String, passphrase: String) -> Result<Session> {
    let (book, session) = Casebook::unlock(&state.data_dir, username.trim(), &passphrase)?;
    state.open(book, session.clone())?;
    Ok(session)
}

#[tauri::command]
pub fn lock(state: State<'_, AppState>) -> Result<()> {
    *state.book.lock().map_err(|_| CommandError::key("error.storage"))? = None;
    Ok(())
}

#[tauri::command]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<()> {
    if !(1..=240).contains(&settings.idle_minutes) {
        return Err(casebook::Error::from(Invalid::new("settings.idle_minutes", casebook::Rule::OutOfRange)).into());
    }
    *state
        .idle_minutes
        .lock()
        .map_err(|_| CommandError::key("error.storage"))? = settings.idle_minutes;
    settings::save(&state.data_dir, &settings).map_err(|_| CommandError::key("error.storage"))
}

#[tauri::command]
pub fn add_user(
    state: State<'_, AppState>,
    username: String,
    display_name: String,
    role: casebook::Role,
    passphrase: String,
) -> Result<String> {
    with_book(&state, |book, s| {
        book.add_user(s, username.trim(), &display_name, role, &passphrase)
    })
}

/// The administrator sets a user's new passphrase (forgotten, or after a restore).
#[tauri::command]
pub fn reset_passphrase(state: State<'_, AppState>, username: String, passphrase: String) -> Result<()> {
    with_book(&state, |book, s| book.reset_passphrase(s, username.trim(), &passphrase))
}

#[tauri::command]
pub fn users(state: State<'_, AppState>) -> Result<Vec<casebook::UserSummary>> {
    with_book(&state, |book, s| book.users(s))
}

#[tauri::command]
pub fn list_cases(state: State<'_, AppState>, filter: CaseFilter) -> Result<Vec<CaseRow>> {
    with_book(&state, |book, s| book.list_cases(s, &filter))
}

#[tauri::command]
pub fn count_cases(state: State<'_, AppState>, filter: CaseFilter) -> Result<i64> {
    with_book(&state, |book, s| book.count_cases(s, &filter))
}

/// As-you-type feedback on a Thai ID number: None when it is fine.
#[tauri::command]
pub fn check_thai_id(raw: String) -> Option<Invalid> {
    match casebook::thai_id::validate("person.id_number", &raw) {
        Ok((_, casebook::thai_id::IdCheck::Valid)) => None,
        Ok((_, casebook::thai_id::IdCheck::Warning(rule))) => Some(Invalid::new("person.id_number", rule)),
        Err(invalid) => Some(invalid),
    }
}

#[tauri::command]
pub fn search_cases(state: State<'_, AppState>, query: String) -> Result<Vec<CaseRow>> {
    with_book(&state, |book, s| book.search_cases(s, &query, 200))
}

/// The case part of the intake form (the client is created with it).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct IntakeCase {
    pub source: Source,
    pub categories: Vec<casebook::case::Category>,
    pub violence_types: Vec<ViolenceType>,
    pub risk: Risk,
    pub incident_at: Option<String>,
    pub incident_description: Option<String>,
    pub consent: Option<String>,
    pub legal_basis: Option<String>,
    /// Others in the case: an alleged perpetrator, a guardian, the reporter …
    pub parties: Vec<IntakeParty>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct IntakeParty {
    pub name_th: String,
    pub role: PartyRole,
    pub relationship: Option<Relationship>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IntakeResult {
    pub case: Case,
    pub warnings: Vec<Invalid>,
}

/// Person, case and incident in one transaction: an intake is stored whole or not at all.
#[tauri::command]
pub fn intake(state: State<'_, AppState>, person: PersonInput, case: IntakeCase) -> Result<IntakeResult> {
    with_book(&state, |book, s| {
        book.batch(|book| {
            let (client_id, warnings) = book.create_person(s, &person)?;
            let input = CaseInput {
                client_id,
                source: case.source,
                categories: case.categories.clone(),
                violence_types: case.violence_types.clone(),
                risk: case.risk,
                case_manager_id: None,
                incident_at: case.incident_at.clone(),
                consent: case.consent.clone(),
                legal_basis: case.legal_basis.clone(),
            };
            let created = book.create_case(s, &input)?;
            if case.incident_at.is_some() || case.incident_description.is_some() {
                book.record_incident(
                    s,
                    &Incident {
                        case_id: created.id.clone(),
                        occurred_at: case.incident_at.clone(),
                        place_kind: None,
                        area_code: person.area_code.clone(),
                        description: case.incident_description.clone(),
                        violence_types: case.violence_types.clone(),
                    },
                )?;
            }
            for party in case.parties.iter().filter(|p| !p.name_th.trim().is_empty()) {
                let person = PersonInput {
                    name_th: Some(party.name_th.clone()),
                    ..PersonInput::default()
                };
                let (person_id, _) = book.create_person(s, &person)?;
                let link = CaseParty {
                    case_id: created.id.clone(),
                    person_id,
                    role: party.role,
                    relationship: party.relationship,
                };
                book.add_party(s, &link)?;
            }
            Ok(IntakeResult {
                case: created,
                warnings,
            })
        })
    })
}

#[tauri::command]
pub fn open_case(state: State<'_, AppState>, id: String) -> Result<CaseView> {
    with_book(&state, |book, s| book.open_case(s, &id))
}

#[tauri::command]
pub fn reveal_person(state: State<'_, AppState>, id: String, reason: String) -> Result<Person> {
    with_book(&state, |book, s| book.reveal_person(s, &id, &reason))
}

#[tauri::command]
pub fn case_audit(state: State<'_, AppState>, case_id: String) -> Result<Vec<AuditEntry>> {
    with_book(&state, |book, s| book.case_audit(s, &case_id))
}

#[tauri::command]
pub fn add_timeline_entry(
    state: State<'_, AppState>,
    case_id: String,
    kind: EntryKind,
    body: String,
    occurred_at: String,
) -> Result<String> {
    with_book(&state, |book, s| {
        book.add_timeline_entry(s, &case_id, kind, &body, &occurred_at)
    })
}

/// A photo for a timeline entry: the bytes come as the raw request body, the entry id and
/// type in headers, so a large photo is not inflated into JSON.
#[tauri::command]
pub fn add_photo(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<String> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::key("error.bad_request"));
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let entry_id = header("entry-id").ok_or_else(|| CommandError::key("error.bad_request"))?;
    let mime = header("content-type").unwrap_or_else(|| "application/octet-stream".into());
    with_book(&state, |book, s| {
        book.batch(|book| {
            let hash = book.put_attachment(s, &mime, bytes)?;
            book.attach_to_entry(s, &entry_id, &hash)?;
            Ok(hash)
        })
    })
}

/// The administrator's emblem for letters: the PNG as the raw body; an empty body removes it.
/// Returns whether the unit now has one.
#[tauri::command]
pub fn set_emblem(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<bool> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::key("error.bad_request"));
    };
    let png = (!bytes.is_empty()).then_some(bytes.as_slice());
    // Refused now rather than when a letter is printed: the book only checks the signature.
    if png.is_some_and(|png| letters::Image::from_png("Emblem", png).is_err()) {
        return Err(casebook::Error::from(Invalid::new("unit.emblem", casebook::Rule::NotPng)).into());
    }
    with_book(&state, |book, s| book.set_emblem(s, png))?;
    Ok(png.is_some())
}

#[tauri::command]
pub fn has_emblem(state: State<'_, AppState>) -> Result<bool> {
    with_book(&state, |book, _| Ok(book.emblem()?.is_some()))
}

#[tauri::command]
pub fn change_status(state: State<'_, AppState>, case_id: String, status: Status, reason: String) -> Result<()> {
    with_book(&state, |book, s| book.change_status(s, &case_id, status, &reason))
}

/// Hands the case to another unit (the hub grants it the case with its history).
#[tauri::command]
pub fn transfer_case(state: State<'_, AppState>, case_id: String, to_unit: String, reason: String) -> Result<()> {
    with_book(&state, |book, s| book.transfer_case(s, &case_id, &to_unit, &reason))
}

/// The signed-in worker becomes the case's manager.
#[tauri::command]
pub fn take_case(state: State<'_, AppState>, case_id: String) -> Result<()> {
    with_book(&state, |book, s| book.take_case(s, &case_id))
}

#[tauri::command]
pub fn care_plan(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<CarePlanGoal>>> {
    with_book(&state, |book, s| book.care_plan(s, &case_id))
}

#[tauri::command]
pub fn add_goal(state: State<'_, AppState>, goal: CarePlanGoal) -> Result<String> {
    with_book(&state, |book, s| book.add_goal(s, &goal))
}

#[tauri::command]
pub fn referrals(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<Referral>>> {
    with_book(&state, |book, s| book.referrals(s, &case_id))
}

#[tauri::command]
pub fn agencies(state: State<'_, AppState>) -> Result<Vec<Stored<Agency>>> {
    with_book(&state, |book, s| book.agencies(s))
}

#[tauri::command]
pub fn add_agency(state: State<'_, AppState>, agency: Agency) -> Result<String> {
    with_book(&state, |book, s| book.add_agency(s, &agency))
}

#[tauri::command]
pub fn areas(state: State<'_, AppState>, parent: Option<String>) -> Result<Vec<Area>> {
    with_book(&state, |book, _| book.areas(parent.as_deref()))
}

#[tauri::command]
pub fn create_referral(state: State<'_, AppState>, referral: Referral) -> Result<String> {
    with_book(&state, |book, s| book.create_referral(s, &referral))
}

#[tauri::command]
pub fn record_referral_reply(
    state: State<'_, AppState>,
    id: String,
    status: ReferralStatus,
    reply: String,
) -> Result<()> {
    with_book(&state, |book, s| book.update_referral(s, &id, status, Some(&reply)))
}

/// The recovery sheet as a PDF in the data folder's `exports`, to print at the first run.
/// The code comes back from the page that shows it; it is never stored by the app.
#[tauri::command]
pub fn recovery_sheet(state: State<'_, AppState>, code: String) -> Result<String> {
    let unit = with_book(&state, |book, _| book.unit())?;
    let sheet = letters::RecoverySheet {
        unit_name: unit.name,
        unit_code: unit.code,
        code,
        date: casebook::dates::thai_long(casebook::person::today(), true),
    };
    exports::write(&state, "recovery-sheet.pdf", &typesetter()?.recovery_sheet(&sheet))
}

pub(crate) fn typesetter() -> Result<letters::Typesetter> {
    letters::Typesetter::laksaman().map_err(|_| CommandError::key("error.storage"))
}

/// A Thai label from the UI's catalog (the one source of the words), for printed documents.
pub(crate) fn th(key: &str) -> String {
    static CATALOG: std::sync::OnceLock<std::collections::HashMap<String, String>> = std::sync::OnceLock::new();
    let catalog =
        CATALOG.get_or_init(|| serde_json::from_str(include_str!("../../ui/src/lib/i18n/th.json")).unwrap_or_default());
    catalog.get(key).cloned().unwrap_or_else(|| key.to_owned())
}

pub(crate) fn th_enum<T: Serialize>(group: &str, value: &T) -> String {
    let code = serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    th(&format!("enum.{group}.{code}"))
}

/// The case summary for a partner or the court, masked (the default) or with the identity in
/// full (needs the reveal permission and is audited as a reveal); the export is audited.
#[tauri::command]
pub fn case_summary(state: State<'_, AppState>, case_id: String, full: bool) -> Result<String> {
    let report = with_book(&state, |book, s| {
        let view = book.open_case(s, &case_id)?;
        let unit = book.unit()?;
        let c = &view.case;
        let client = if full {
            let p = book.reveal_person(s, &view.client.id, "สรุปรายกรณีฉบับเต็ม")?;
            vec![
                format!("ชื่อ  {}", p.name_th.clone().or(p.name_latin.clone()).unwrap_or_default()),
                format!(
                    "เอกสาร  {} {}",
                    th_enum("id_kind", &p.id_kind),
                    p.id_number.clone().unwrap_or_default()
                ),
                format!("โทรศัพท์  {}", p.phone.clone().unwrap_or_else(|| "-".into())),
                format!("ที่อยู่  {}", p.address.clone().unwrap_or_else(|| "-".into())),
            ]
        } else {
            vec![format!("ชื่อ (ปิดบัง)  {}", view.client.name)]
        };
        let mut client = client;
        client.push(format!(
            "อายุ  {}    เพศ  {}",
            view.client.age.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
            th_enum("sex", &view.client.sex)
        ));
        let issues: Vec<String> = c.categories.iter().map(|x| th_enum("category", x)).collect();
        let violence: Vec<String> = c.violence_types.iter().map(|x| th_enum("violence", x)).collect();
        let timeline = view
            .timeline
            .iter()
            .map(|e| {
                format!(
                    "{}  {}: {}",
                    e.occurred_at.get(..10).unwrap_or_default(),
                    th_enum("entry", &e.kind),
                    e.body
                )
            })
            .collect();
        let plan = book
            .care_plan(s, &case_id)?
            .into_iter()
            .map(|g| {
                format!(
                    "{}: {} ({})",
                    th_enum("domain", &g.record.domain),
                    g.record.goal,
                    th_enum("goal_status", &g.record.status)
                )
            })
            .collect();
        let mut referrals = Vec::new();
        for r in book.referrals(s, &case_id)? {
            let agency = book.agency(s, &r.record.agency_id)?.record.name;
            referrals.push(format!(
                "{agency}: {} ({})",
                r.record.reason,
                th_enum("referral_status", &r.record.status)
            ));
        }
        book.record_export(
            s,
            &case_id,
            if full {
                "case_summary_full"
            } else {
                "case_summary_masked"
            },
        )?;
        let section = |heading: &str, paragraphs: Vec<String>| letters::Section {
            heading: heading.into(),
            paragraphs,
        };
        Ok(letters::Report {
            title: "สรุปรายกรณี".into(),
            header: vec![
                unit.name.clone(),
                format!(
                    "เลขรายกรณี {}  ·  {}  ·  ความเสี่ยง{}",
                    c.case_number,
                    th_enum("status", &c.status),
                    th_enum("risk", &c.risk)
                ),
                format!(
                    "พิมพ์เมื่อ {}  ·  {}",
                    casebook::dates::thai_long(casebook::person::today(), false),
                    if full {
                        "ข้อมูลระบุตัวตนฉบับเต็ม"
                    } else {
                        "ปิดบังข้อมูลระบุตัวตน"
                    }
                ),
            ],
            sections: vec![
                section("ผู้รับบริการ", client),
                section("ประเด็นปัญหา", vec![issues.join(", "), violence.join(", ")]),
                section("บันทึกการให้บริการ", timeline),
                section("แผนการช่วยเหลือรายบุคคล", plan),
                section("การส่งต่อ", referrals),
            ],
        })
    })?;
    let name = format!("summary-{case_id}-{}.pdf", if full { "full" } else { "masked" });
    exports::write(&state, &name, &typesetter()?.report(&report))
}

/// This Buddhist year's page of the letter register as a PDF: every number issued, by whom,
/// for what, and the cancelled ones with their reason.
#[tauri::command]
pub fn register_page(state: State<'_, AppState>) -> Result<String> {
    let year = i64::from(casebook::dates::be_year(casebook::person::today()));
    let report = with_book(&state, |book, s| {
        let unit = book.unit()?;
        let users = book.user_names(s)?;
        let entries = book
            .letter_register(s, year)?
            .into_iter()
            .map(|e| {
                let who = users.get(&e.record.issued_by).cloned().unwrap_or_default();
                let cancelled = match (&e.record.cancelled, &e.record.cancel_reason) {
                    (true, Some(reason)) => format!("  (ยกเลิก: {reason})"),
                    (true, None) => "  (ยกเลิก)".into(),
                    _ => String::new(),
                };
                format!(
                    "{}/{}  {}  {}  ผู้ออก {who}{cancelled}",
                    unit.code,
                    e.record.number,
                    e.created_at.get(..10).unwrap_or_default(),
                    e.record.subject
                )
            })
            .collect();
        Ok(letters::Report {
            title: format!("ทะเบียนหนังสือส่ง ปี {year}"),
            header: vec![unit.name.clone()],
            sections: vec![letters::Section {
                heading: "เลขที่  วันที่  เรื่อง  ผู้ออก".into(),
                paragraphs: entries,
            }],
        })
    })?;
    exports::write(&state, &format!("register-{year}.pdf"), &typesetter()?.report(&report))
}
