fn main() {
    // Declaring the app's commands makes Tauri deny any command a capability does not name.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "book_status",
        "create_book",
        "provinces",
        "sign_in",
        "lock",
        "save_settings",
        "add_user",
        "users",
        "list_cases",
        "count_cases",
        "search_cases",
        "check_thai_id",
        "intake",
        "open_case",
        "reveal_person",
        "case_audit",
        "add_timeline_entry",
        "add_photo",
        "change_status",
        "care_plan",
        "add_goal",
        "referrals",
        "agencies",
        "add_agency",
        "areas",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build script failed");
}
