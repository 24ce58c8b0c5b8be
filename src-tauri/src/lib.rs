//! The desktop shell. Business logic lives in the core crates; this wires them to windows.

mod commands;
mod data_dir;
mod error;
mod exports;
mod os_lock;
mod settings;
mod state;
mod sync_task;

use tauri::{Emitter, Manager};

/// How often the idle lock looks at the clock: every 15 s, or as `OSCC_IDLE_CHECK_SECS` says
/// (1 to 60; the end-to-end test of a laptop put to sleep shortens it).
fn idle_check() -> std::time::Duration {
    let secs = std::env::var("OSCC_IDLE_CHECK_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| (1..=60).contains(s))
        .unwrap_or(15);
    std::time::Duration::from_secs(secs)
}

/// Locks the book (if open) and tells the page at once, which then clears what it shows.
fn lock_now(handle: &tauri::AppHandle) {
    if handle.state::<state::AppState>().lock() {
        let _ = handle.emit("locked", ());
    }
}

/// The app's window (tauri.conf.json), made only once this copy holds its data folder: a
/// second copy leaves before any window of its own has shown.
const MAIN_WINDOW: &str = "main";

/// Brings the window forward (out of the taskbar, on top, focused) each time another launch
/// on this data folder rings.
fn answer_the_doorbell(handle: tauri::AppHandle, dir: &std::path::Path) {
    let mut bell = data_dir::Doorbell::at(dir);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(500));
            if !bell.rung() {
                continue;
            }
            if let Some(window) = handle.get_webview_window(MAIN_WINDOW) {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }
    });
}

pub fn run() {
    tauri::Builder::default()
        // Used from the shell's own commands only; the page is granted none of their commands.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let chosen = data_dir::from_args_or_env(std::env::args_os(), std::env::var_os(data_dir::ENV_VAR));
            let data_dir = match chosen {
                Some(dir) => dir,
                None => app.path().app_data_dir()?,
            };
            std::fs::create_dir_all(&data_dir)?;
            let Some(instance) = casebook::store::layout::hold(&data_dir)? else {
                // The copy already open comes forward instead; this one leaves with no window.
                data_dir::ring(&data_dir)?;
                eprintln!("OSCC Casebook is already open on this data folder: its window comes forward.");
                std::process::exit(0);
            };
            answer_the_doorbell(app.handle().clone(), &data_dir);
            // What a crash interrupted (a first run, a key change) is finished or undone now,
            // before any book opens; later looks at the folder change nothing.
            casebook::Casebook::state(&data_dir)?;
            let idle_minutes = settings::load(&data_dir).idle_minutes;
            let state = state::AppState::new(data_dir, idle_minutes, instance);
            state.exports.remove_leftovers(&state.data_dir);
            app.manage(state);
            // The idle lock runs here, not in the UI: a hung or closed page cannot keep the book open.
            let handle = app.handle().clone();
            sync_task::spawn(app.handle().clone());
            let every = idle_check();
            std::thread::spawn(move || {
                let mut last_tick = std::time::SystemTime::now();
                loop {
                    std::thread::sleep(every);
                    let now = std::time::SystemTime::now();
                    let state = handle.state::<state::AppState>();
                    if os_lock::slept(last_tick, now, every) || state.lock_if_idle() {
                        lock_now(&handle);
                    }
                    last_tick = now;
                    state.exports.retry();
                    state.maintain_if_quiet();
                }
            });
            let handle = app.handle().clone();
            os_lock::watch(move || lock_now(&handle));
            let main = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == MAIN_WINDOW)
                .ok_or("no main window in tauri.conf.json")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), main)?.build()?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::save_settings,
            commands::book::book_status,
            commands::book::create_book,
            commands::book::sign_in,
            commands::book::lock,
            commands::book::change_passphrase,
            commands::book::recover_book,
            commands::book::change_master_key,
            commands::book::recovery_sheet,
            commands::book::set_emblem,
            commands::book::has_emblem,
            commands::backup::choose_folder,
            commands::backup::backup,
            commands::backup::copy_progress,
            commands::backup::restore_backup,
            commands::users::add_user,
            commands::users::reset_passphrase,
            commands::users::users,
            commands::users::set_role,
            commands::users::disable_user,
            commands::users::enable_user,
            commands::users::renamed_users,
            commands::areas::provinces,
            commands::areas::areas,
            commands::intake::intake,
            commands::cases::list_cases,
            commands::cases::count_cases,
            commands::cases::search_cases,
            commands::cases::check_thai_id,
            commands::cases::open_case,
            commands::cases::reveal_person,
            commands::cases::case_audit,
            commands::cases::change_status,
            commands::cases::transfer_case,
            commands::cases::case_summary,
            commands::timeline::add_timeline_entry,
            commands::care::care_plan,
            commands::care::add_goal,
            commands::agencies::agencies,
            commands::agencies::add_agency,
            commands::agencies::update_agency,
            commands::signers::signers,
            commands::signers::add_signer,
            commands::signers::update_signer,
            commands::signers::own_position,
            commands::signers::set_own_position,
            commands::letters::letter_template,
            commands::letters::save_letter_template,
            commands::letters::reset_letter_template,
            commands::letters::referral_letter_draft,
            commands::letters::invitation_draft,
            commands::letters::issue_invitations,
            commands::letters::earlier_letters,
            commands::letters::enclosures,
            commands::letters::case_letter_draft,
            commands::letters::preview_case_letter,
            commands::letters::issue_case_letter,
            commands::referrals::referrals,
            commands::referrals::create_referral,
            commands::referrals::record_referral_reply,
            commands::referrals::preview_referral_letter,
            commands::referrals::issue_referral_letter,
            commands::register::letter_register,
            commands::register::register_page,
            commands::register::cancel_letter,
            commands::received::received_letters,
            commands::received::log_received_letter,
            commands::received::cancel_received_letter,
            commands::conferences::conferences,
            commands::conferences::plan_conference,
            commands::conferences::conference_detail,
            commands::conferences::add_attendee,
            commands::conferences::add_agenda_case,
            commands::conferences::save_agenda_case,
            commands::conferences::add_action_item,
            commands::conferences::set_action_status,
            commands::conferences::set_conference_status,
            commands::conferences::overdue_actions,
            commands::conferences::conference_minutes,
            commands::projector::open_projector,
            commands::projector::project,
            commands::projector::projector_view,
            commands::sync::enroll_device,
            commands::sync::sync_now,
            commands::sync::sync_status,
            commands::sync::conflicts,
            commands::sync::reveal_conflict,
            commands::sync::resolve_conflict,
            commands::sync::refused_events,
            commands::sync::set_aside_events,
            commands::sync::waiting_records,
            commands::statistics::statistics,
            commands::statistics::statistics_pdf,
            commands::statistics::statistics_csv,
            commands::pdpa::data_subject_requests,
            commands::pdpa::log_data_subject_request,
            commands::pdpa::answer_data_subject_request,
            commands::pdpa::breaches,
            commands::pdpa::record_breach,
            commands::pdpa::breach_notified,
            commands::pdpa::set_retention_date,
            commands::pdpa::due_for_purge,
            commands::pdpa::purge_case,
            commands::pdpa::purge_log,
            commands::pdpa::record_of_processing,
            commands::exports::open_export,
            commands::exports::read_export,
            commands::exports::save_export_as,
            commands::exports::discard_export,
            commands::cases::update_case,
            commands::cases::close_case,
            commands::cases::reopen_case,
            commands::cases::open_work,
            commands::cases::set_follow_up,
            commands::cases::mark_clock,
            commands::cases::transfer_units,
            commands::people::update_person,
            commands::people::add_party,
            commands::people::update_party,
            commands::people::remove_party,
            commands::timeline::entry_attachments,
            commands::timeline::attachment_thumbnail,
            commands::timeline::view_attachment,
            commands::timeline::attachment_info,
            commands::timeline::export_attachment,
            commands::care::update_goal,
            commands::care::assessments,
            commands::care::record_assessment,
            commands::care::interpreter_sessions,
            commands::care::record_interpreter_session,
            commands::statistics::community_counts,
            commands::statistics::community_pdf,
            commands::consents::consents,
            commands::consents::record_consent,
            commands::consents::revoke_consent,
            commands::consents::attach_consent_form,
            commands::consents::consent_form,
            commands::people::possible_matches,
            commands::people::merge_people,
            commands::people::set_volunteer,
            commands::people::add_volunteer,
            commands::people::volunteers,
            commands::work::workers,
            commands::work::hand_over,
            commands::work::hand_over_all,
            commands::work::acknowledge_handover,
            commands::work::take_case,
            commands::work::set_co_workers,
            commands::work::inbox,
            commands::work::inbox_count,
            commands::work::acknowledge_referral,
            commands::work::today,
            commands::drafts::save_draft,
            commands::drafts::draft,
            commands::drafts::drafts,
            commands::drafts::drop_draft,
            commands::lookups::lookups,
            commands::lookups::lookup_lists,
            commands::lookups::set_lookup,
            commands::app::touch,
            commands::audit::audit_log,
            commands::audit::verify_audit,
        ])
        .build(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("OSCC Casebook could not start: {err}");
            std::process::exit(1);
        })
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                let state = app.state::<state::AppState>();
                state.lock();
                state.exports.remove();
            }
        });
}
