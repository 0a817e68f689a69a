//! The activity log: one line per change the app made (`activity.jsonl`
//! beside the journey file), with before and after, and its CSV export.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{JourneyError, JourneyStore};
use crate::security_info::{AuthMethod, MethodKind};

/// One line of the activity log: a change the app made, with before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub upn: String,
    /// `addPhone`, `updatePhone`, `remove`, `setDefault`, `registered`.
    pub action: String,
    /// What the method was, and what it became. Never a token or code.
    pub before: Option<Snapshot>,
    pub after: Option<Snapshot>,
}

/// A method as the activity log remembers it: its kind (Graph's type name
/// without the namespace, or `default` for a default prompt) and its human
/// name (device, number, or the prompt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub kind: String,
    pub name: Option<String>,
}

impl Snapshot {
    /// The CSV export's cell for a before or after: "kind: name", the kind
    /// alone, or empty for none.
    pub fn csv_cell(s: &Option<Snapshot>) -> String {
        match s {
            Some(Snapshot {
                kind,
                name: Some(n),
            }) => format!("{kind}: {n}"),
            Some(Snapshot { kind, name: None }) => kind.clone(),
            None => String::new(),
        }
    }

    pub fn of(m: &AuthMethod) -> Snapshot {
        Snapshot {
            kind: kind_name(&m.kind).to_owned(),
            name: m.kind.human_name().map(str::to_owned),
        }
    }

    pub(super) fn default_prompt(choice: &str) -> Snapshot {
        Snapshot {
            kind: "default".into(),
            name: Some(choice.to_owned()),
        }
    }

    pub(super) fn phone(phone_type: &str, number: &str) -> Snapshot {
        Snapshot {
            kind: "phone".into(),
            name: Some(format!("{number} ({phone_type})")),
        }
    }
}

/// The kind's stable name (as the wire's method kinds).
pub fn kind_name(kind: &MethodKind) -> &'static str {
    match kind {
        MethodKind::Password => "password",
        MethodKind::MicrosoftAuthenticator { .. } => "microsoftAuthenticator",
        MethodKind::Phone { .. } => "phone",
        MethodKind::Email { .. } => "email",
        MethodKind::Fido2 { .. } => "fido2",
        MethodKind::WindowsHelloForBusiness { .. } => "windowsHelloForBusiness",
        MethodKind::PlatformCredential { .. } => "platformCredential",
        MethodKind::SoftwareOath => "softwareOath",
        MethodKind::HardwareOath { .. } => "hardwareOath",
        MethodKind::TemporaryAccessPass { .. } => "temporaryAccessPass",
        MethodKind::External { .. } => "external",
        MethodKind::QrCodePin => "qrCodePin",
        MethodKind::Other { .. } => "other",
    }
}

impl JourneyStore {
    /// Appends one entry to the activity log (one JSON object per line).
    pub fn record(&self, entry: &ActivityEntry) -> Result<(), JourneyError> {
        use std::io::Write;
        crate::owner_only::create_app_dir(self.dir())
            .map_err(|e| JourneyError::Storage(e.to_string()))?;
        let mut line =
            serde_json::to_vec(entry).map_err(|e| JourneyError::Storage(e.to_string()))?;
        line.push(b'\n');
        let mut file = crate::owner_only::append(&self.activity_path())
            .map_err(|e| JourneyError::Storage(e.to_string()))?;
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(|e| JourneyError::Storage(e.to_string()))
    }

    /// The activity log, oldest first. A damaged line is skipped, not fatal.
    pub fn activity(&self) -> Result<Vec<ActivityEntry>, JourneyError> {
        let text = match std::fs::read_to_string(self.activity_path()) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(JourneyError::Storage(e.to_string())),
        };
        Ok(read_activity(&text))
    }
}

/// The activity log's lines (JSON, one entry a line); a damaged line is
/// skipped.
pub(crate) fn read_activity(text: &str) -> Vec<ActivityEntry> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The CSV export's header row: the column names in the user's language,
/// which the window words from its catalogue (`activity.csv.*`); Rust only
/// knows the columns. The cells below stay data: RFC 3339 times, action
/// and kind codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHeaders(pub [String; 5]);

impl Default for CsvHeaders {
    /// The columns' own names: time, account, action, before, after.
    fn default() -> CsvHeaders {
        CsvHeaders(["time", "account", "action", "before", "after"].map(String::from))
    }
}

/// The activity log as CSV (RFC 4180), newest last, for a spreadsheet:
/// time, account, action, before, after, under `headers`.
pub fn activity_csv(entries: &[ActivityEntry], headers: &CsvHeaders) -> String {
    let header: Vec<String> = headers.0.iter().map(|c| csv_cell(c)).collect();
    let mut out = header.join(",");
    out.push_str("\r\n");
    for e in entries {
        let time = e
            .time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let cells = [
            time,
            e.upn.clone(),
            e.action.clone(),
            Snapshot::csv_cell(&e.before),
            Snapshot::csv_cell(&e.after),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quotes a cell (RFC 4180), and defuses text a spreadsheet would run as a
/// formula, the OWASP "CSV injection" way: a cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` and is quoted.
/// No exception for a sign before a digit: Excel runs `+1+cmd|' /C calc'!A0`
/// as a DDE formula. Phone numbers stay readable: in this export they follow
/// their kind (`phone: +44 7700900123 (mobile)`), so they never start a
/// cell; a bare `+44 …` cell would read `'+44 …`, text rather than a formula.
fn csv_cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let v = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if v.contains([',', '"', '\n', '\r']) || risky {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_store_keeps_an_activity_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = JourneyStore::new(dir.path().join("nested"));
        let entry = ActivityEntry {
            time: datetime!(2026-11-22 9:00 UTC),
            upn: "adele@contoso.example".into(),
            action: "remove".into(),
            before: Some(Snapshot {
                kind: "microsoftAuthenticator".into(),
                name: Some("Pixel 6".into()),
            }),
            after: None,
        };
        store.record(&entry).unwrap();
        store.record(&entry).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(store.activity_path())
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{half a line\n"))
            .unwrap();
        assert_eq!(store.activity().unwrap(), vec![entry.clone(), entry]);
    }

    /// The journeys folder, its lock and the activity log are the owner's
    /// alone: they name accounts, devices and phone numbers.
    #[cfg(unix)]
    #[test]
    fn the_activity_log_and_its_folder_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let store = JourneyStore::new(dir.path().join("journeys"));
        let _lock = store.lock().unwrap();
        store
            .record(&ActivityEntry {
                time: datetime!(2026-11-22 9:00 UTC),
                upn: "adele@contoso.example".into(),
                action: "remove".into(),
                before: None,
                after: None,
            })
            .unwrap();
        assert_eq!(mode(&dir.path().join("journeys")), 0o700);
        assert_eq!(mode(&store.activity_path()), 0o600);
        assert_eq!(mode(&dir.path().join("journeys/journey.lock")), 0o600);
    }

    #[test]
    fn the_activity_log_exports_as_csv_without_formulas() {
        let entry = |before: Option<Snapshot>, after: Option<Snapshot>| ActivityEntry {
            time: datetime!(2026-11-22 9:00 UTC),
            upn: "adele@contoso.example".into(),
            action: "updatePhone".into(),
            before,
            after,
        };
        let csv = activity_csv(
            &[
                entry(
                    Some(Snapshot::phone("mobile", "+44 7700900123")),
                    Some(Snapshot::phone("mobile", "+44 7700900999")),
                ),
                entry(
                    Some(Snapshot {
                        kind: "microsoftAuthenticator".into(),
                        name: Some("=HYPERLINK(\"x\")".into()),
                    }),
                    None,
                ),
            ],
            &CsvHeaders::default(),
        );
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "time,account,action,before,after");
        // The window's words head the columns, quoted and defused like any cell.
        let german =
            CsvHeaders(["Wann", "Konto", "Was", "Vorher, alt", "=Nachher"].map(String::from));
        let csv = activity_csv(&[], &german);
        assert_eq!(csv, "Wann,Konto,Was,\"Vorher, alt\",\"'=Nachher\"\r\n");
        assert_eq!(
            lines[1],
            "2026-11-22T09:00:00Z,adele@contoso.example,updatePhone,phone: +44 7700900123 (mobile),phone: +44 7700900999 (mobile)"
        );
        assert_eq!(
            lines[2],
            "2026-11-22T09:00:00Z,adele@contoso.example,updatePhone,\"microsoftAuthenticator: =HYPERLINK(\"\"x\"\")\","
        );
        assert_eq!(csv_cell("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_cell("-x"), "\"'-x\"");
        // A sign before a digit is no excuse: Excel runs these.
        assert_eq!(
            csv_cell("+1+cmd|' /C calc'!A0"),
            "\"'+1+cmd|' /C calc'!A0\""
        );
        assert_eq!(
            csv_cell("-2+3+cmd|' /C calc'!A0"),
            "\"'-2+3+cmd|' /C calc'!A0\""
        );
        assert_eq!(csv_cell("@SUM(1+1)"), "\"'@SUM(1+1)\"");
        assert_eq!(csv_cell("\t=1+1"), "\"'\t=1+1\"");
        assert_eq!(csv_cell("\r=1+1"), "\"'\r=1+1\"");
        // A bare phone number is text, not a formula; the export's own phone
        // cells start with their kind and stay as they are (line 1 above).
        assert_eq!(csv_cell("+44 7700900123"), "\"'+44 7700900123\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
