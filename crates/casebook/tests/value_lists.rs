//! The choices the UI offers (risks, sources, categories …) come from the Rust enums:
//! this test writes `ui/src/bindings/values.ts` beside the types ts-rs writes, and the test
//! run fails if the committed file differs (xtask's bindings check), so no screen keeps a
//! hand-copied list that drifts from the enum.

use casebook::OrgType;
use casebook::book::permissions::Role;
use casebook::pdpa::RequestKind;
use casebook::records::agency::{AgencyType, Salutation};
use casebook::records::assessment::Stage;
use casebook::records::care::{Domain, GoalStatus, PartyRole, Relationship};
use casebook::records::case::{Category, Risk, Source, Status, ViolenceType};
use casebook::records::consent::{Basis, ConsentMethod, GivenBy, Purpose};
use casebook::records::interpreter::Language;
use casebook::records::letter_template::LetterKind;
use casebook::records::person::{IdKind, Sex, VolunteerRole};
use casebook::records::referral::Urgency;
use casebook::records::signer::Standing;
use serde::Serialize;
use std::path::PathBuf;
use strum::VariantArray;

/// One `export const` line: the enum's variants by their wire names, in declaration order.
fn line<T: VariantArray + Serialize>(type_name: &str) -> (String, String) {
    let names: Vec<String> = T::VARIANTS
        .iter()
        .map(|variant| serde_json::to_string(variant).expect("a unit variant serializes to its name"))
        .collect();
    let constant = format!("{}_VALUES", screaming_snake(type_name));
    let text = format!(
        "export const {constant}: readonly {type_name}[] = [{}];",
        names.join(", ")
    );
    (constant, text)
}

/// `ViolenceType` -> `VIOLENCE_TYPE`.
fn screaming_snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[test]
fn the_ui_value_lists_are_written_from_the_rust_enums() {
    let mut lines = vec![
        ("AgencyType", line::<AgencyType>("AgencyType")),
        ("Salutation", line::<Salutation>("Salutation")),
        ("Standing", line::<Standing>("Standing")),
        ("LetterKind", line::<LetterKind>("LetterKind")),
        ("Basis", line::<Basis>("Basis")),
        ("ConsentMethod", line::<ConsentMethod>("ConsentMethod")),
        ("GivenBy", line::<GivenBy>("GivenBy")),
        ("GoalStatus", line::<GoalStatus>("GoalStatus")),
        ("Language", line::<Language>("Language")),
        ("Purpose", line::<Purpose>("Purpose")),
        ("Stage", line::<Stage>("Stage")),
        ("VolunteerRole", line::<VolunteerRole>("VolunteerRole")),
        ("Category", line::<Category>("Category")),
        ("Domain", line::<Domain>("Domain")),
        ("IdKind", line::<IdKind>("IdKind")),
        ("OrgType", line::<OrgType>("OrgType")),
        ("PartyRole", line::<PartyRole>("PartyRole")),
        ("Relationship", line::<Relationship>("Relationship")),
        ("RequestKind", line::<RequestKind>("RequestKind")),
        ("Risk", line::<Risk>("Risk")),
        ("Role", line::<Role>("Role")),
        ("Sex", line::<Sex>("Sex")),
        ("Source", line::<Source>("Source")),
        ("Status", line::<Status>("Status")),
        ("Urgency", line::<Urgency>("Urgency")),
        ("ViolenceType", line::<ViolenceType>("ViolenceType")),
    ];
    lines.sort_by(|a, b| a.1.0.cmp(&b.1.0));
    let mut imports: Vec<&str> = lines.iter().map(|(type_name, _)| *type_name).collect();
    imports.push("ReferralStatus");
    imports.sort();
    let mut text = String::from("// Generated from the Rust types by casebook's bindings test; do not edit.\n");
    for type_name in imports {
        text.push_str(&format!("import type {{ {type_name} }} from \"./{type_name}\";\n"));
    }
    text.push('\n');
    for (_, (_, export)) in &lines {
        text.push_str(export);
        text.push('\n');
    }
    // The domains an assessment rates, in the form's order.
    let assessed: Vec<String> = casebook::records::assessment::ASSESSED
        .iter()
        .map(|domain| serde_json::to_string(domain).expect("a unit variant serializes to its name"))
        .collect();
    text.push_str(&format!(
        "export const ASSESSED_DOMAINS: readonly Domain[] = [{}];\n",
        assessed.join(", ")
    ));
    // What an agency's reply can say of a referral.
    let replies: Vec<String> = casebook::records::referral::ReferralStatus::REPLIES
        .iter()
        .map(|status| serde_json::to_string(status).expect("a unit variant serializes to its name"))
        .collect();
    text.push_str(&format!(
        "export const REFERRAL_REPLIES: readonly ReferralStatus[] = [{}];\n",
        replies.join(", ")
    ));
    assert!(text.contains(r#"RISK_VALUES: readonly Risk[] = ["red", "yellow", "green"]"#));

    // Where ts-rs writes the types (.cargo/config.toml), else the UI's folder in this repo.
    let dir = std::env::var_os("TS_RS_EXPORT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings"));
    let path = dir.join("values.ts");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&path, text).expect("ui/src/bindings is writable");
    }
}
