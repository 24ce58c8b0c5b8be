import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "../bindings/AppInfo";

// One typed wrapper per Tauri command; the types are generated from Rust (ts-rs).
export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
};
