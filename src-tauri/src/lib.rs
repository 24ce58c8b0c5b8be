//! The desktop shell. Business logic lives in the core crates; this wires them to windows.

mod backup;
mod commands;
mod conferences;
mod data_dir;
mod exports;
mod pdpa;
mod referral_letters;
mod settings;
mod state;
mod statistics;
mod sync;

use tauri::Manager;

/// How often the idle lock looks at the clock.
const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(15);

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
            let idle_minutes = settings::load(&data_dir).idle_minutes;
            app.manage(state::AppState::new(data_dir, idle_minutes));
            // The idle lock runs here, not in the UI: a hung or closed page cannot keep the book open.
            let handle = app.handle().clone();
            sync::spawn(app.handle().clone());
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(IDLE_CHECK);
                    let state = handle.state::<state::AppState>();
                    state.maintain_if_quiet();
                    state.lock_if_idle();
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::book_status,
            commands::create_book,
            commands::provinces,
            commands::recovery_sheet,
            commands::case_summary,
            commands::register_page,
            commands::sign_in,
            commands::lock,
            commands::save_settings,
            commands::add_user,
            commands::users,
            commands::list_cases,
            commands::count_cases,
            commands::search_cases,
            commands::check_thai_id,
            commands::intake,
            commands::open_case,
            commands::reveal_person,
            commands::case_audit,
            commands::add_timeline_entry,
            commands::add_photo,
            commands::set_emblem,
            commands::has_emblem,
            commands::change_status,
            commands::transfer_case,
            commands::take_case,
            commands::care_plan,
            commands::add_goal,
            commands::referrals,
            commands::create_referral,
            commands::record_referral_reply,
            referral_letters::preview_referral_letter,
            referral_letters::issue_referral_letter,
            commands::agencies,
            commands::add_agency,
            commands::areas,
            conferences::conferences,
            conferences::plan_conference,
            conferences::conference_detail,
            conferences::add_attendee,
            conferences::add_agenda_case,
            conferences::save_agenda_case,
            conferences::add_action_item,
            conferences::set_action_status,
            conferences::set_conference_status,
            conferences::overdue_actions,
            conferences::open_projector,
            conferences::project,
            conferences::projector_view,
            conferences::conference_minutes,
            sync::enroll_device,
            sync::sync_now,
            sync::sync_status,
            sync::conflicts,
            sync::resolve_conflict,
            statistics::statistics,
            statistics::statistics_pdf,
            statistics::statistics_csv,
            backup::choose_folder,
            backup::backup,
            backup::backup_progress,
            backup::restore_backup,
            commands::reset_passphrase,
            pdpa::data_subject_requests,
            pdpa::log_data_subject_request,
            pdpa::answer_data_subject_request,
            pdpa::breaches,
            pdpa::record_breach,
            pdpa::breach_notified,
            pdpa::set_retention_date,
            pdpa::due_for_purge,
            pdpa::purge_case,
            pdpa::purge_log,
            pdpa::record_of_processing,
            exports::open_export,
            exports::save_export_as,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("OSCC Casebook could not start: {err}");
            std::process::exit(1);
        });
}
