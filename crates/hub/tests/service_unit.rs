//! installers/hub: the systemd unit's command line, with the example configuration's
//! variables, starts this hub (so the unit and the CLI cannot drift apart), and every
//! variable the unit uses is in the example configuration.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const UNIT: &str = include_str!("../../../installers/hub/oscc-hub.service");
const CONF: &str = include_str!("../../../installers/hub/oscc-hub.conf");

#[test]
fn the_service_unit_starts_the_hub_with_the_example_configuration() {
    let mut vars: BTreeMap<&str, String> = CONF
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().to_owned()))
        .collect();
    let exec = UNIT
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("/usr/local/bin/oscc-hub"));

    // This machine stands in for the server: loopback, a throw-away folder, SQLite.
    let dir = std::env::temp_dir().join(format!("oscc-hub-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(
        vars.contains_key("DATABASE") && vars.contains_key("HUB_NAME"),
        "{vars:?}"
    );
    vars.insert("LISTEN", "127.0.0.1:0".into());
    vars.insert("DATABASE", dir.join("hub.db").display().to_string());
    let args: Vec<String> = words
        .map(|w| match w.strip_prefix("${").and_then(|w| w.strip_suffix('}')) {
            Some(name) => vars
                .get(name)
                .unwrap_or_else(|| panic!("${{{name}}} is not in oscc-hub.conf"))
                .clone(),
            None => w.replace("/var/lib/oscc-hub", &dir.display().to_string()),
        })
        .collect();

    let mut hub = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
        .args(&args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(hub.stdout.take().unwrap());
    let mut seen = Vec::new();
    let listening = loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break None;
        }
        seen.push(line.trim().to_owned());
        if let Some(url) = line.trim().strip_prefix("listening on ") {
            break Some(url.to_owned());
        }
    };
    let _ = hub.kill();
    let _ = hub.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let url = listening.unwrap_or_else(|| panic!("the hub did not start: {seen:?}"));
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(seen.iter().any(|l| l.starts_with("certificate sha256 ")), "{seen:?}");
}
