//! The desktop shell. Business logic lives in the core crates; this wires them to windows.

mod commands;
mod data_dir;
mod state;

use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let chosen = data_dir::from_args_or_env(
                std::env::args_os(),
                std::env::var_os(data_dir::ENV_VAR),
            );
            let data_dir = match chosen {
                Some(dir) => dir,
                None => app.path().app_data_dir()?,
            };
            std::fs::create_dir_all(&data_dir)?;
            app.manage(state::AppState { data_dir });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("OSCC Casebook could not start: {err}");
            std::process::exit(1);
        });
}
