//! A case's care plan (its goals), the outcomes assessed on the person, and interpreted
//! sessions.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::assessment::Assessment;
use casebook::records::care::CarePlanGoal;
use casebook::records::interpreter::InterpreterSession;
use tauri::State;

#[tauri::command]
pub fn care_plan(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<CarePlanGoal>>> {
    state.with_book(|book, s| book.care_plan(s, &case_id))
}

#[tauri::command]
pub fn add_goal(state: State<'_, AppState>, goal: CarePlanGoal) -> Result<String> {
    state.with_book(|book, s| book.add_goal(s, &goal))
}

/// Edits a goal from the case page: its status, outcome, due and review dates.
#[tauri::command]
pub fn update_goal(state: State<'_, AppState>, id: String, goal: CarePlanGoal) -> Result<()> {
    state.with_book(|book, s| book.update_goal(s, &id, &goal))
}

#[tauri::command]
pub fn assessments(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<Assessment>>> {
    state.with_book(|book, s| book.assessments(s, &case_id))
}

#[tauri::command]
pub fn record_assessment(state: State<'_, AppState>, assessment: Assessment) -> Result<String> {
    state.with_book(|book, s| book.record_assessment(s, &assessment))
}

#[tauri::command]
pub fn interpreter_sessions(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<InterpreterSession>>> {
    state.with_book(|book, s| book.interpreter_sessions(s, &case_id))
}

#[tauri::command]
pub fn record_interpreter_session(state: State<'_, AppState>, record: InterpreterSession) -> Result<String> {
    state.with_book(|book, s| book.record_interpreter_session(s, &record))
}
