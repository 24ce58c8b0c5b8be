//! A case's care plan: its goals.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::care::CarePlanGoal;
use tauri::State;

#[tauri::command]
pub fn care_plan(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<CarePlanGoal>>> {
    state.with_book(|book, s| book.care_plan(s, &case_id))
}

#[tauri::command]
pub fn add_goal(state: State<'_, AppState>, goal: CarePlanGoal) -> Result<String> {
    state.with_book(|book, s| book.add_goal(s, &goal))
}
