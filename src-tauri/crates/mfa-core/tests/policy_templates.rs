//! The Windows Group Policy templates (`packaging/windows/`) are generated
//! from the one table of policy values the app reads
//! (`mfa_core::policy::POLICY_VALUES`); this test fails when the committed
//! files differ, and `UPDATE_POLICY_TEMPLATES=1 cargo test -p mfa-core --test
//! policy_templates` rewrites them. The macOS sample profile is read through
//! the same reader the app uses and must make a valid configuration.

use std::path::{Path, PathBuf};

use mfa_core::policy::{PolicySetting, ValueKind, POLICY_KEY, POLICY_VALUES};

fn packaging() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../packaging")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn admx() -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from mfa_core::policy::POLICY_VALUES by src-tauri/crates/mfa-core/tests/policy_templates.rs. Do not edit. -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces>
    <target prefix="mfaassistant" namespace="MFAAssistant.Policies.MFAAssistant" />
    <using prefix="windows" namespace="Microsoft.Policies.Windows" />
  </policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_MFAAssistant" displayName="$(string.SUPPORTED_MFAAssistant)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="MFAAssistant" displayName="$(string.MFAAssistant)" />
  </categories>
  <policies>
"#,
    );
    for s in POLICY_VALUES {
        out.push_str(&format!(
            "    <policy name=\"{n}\" class=\"Machine\" displayName=\"$(string.{n})\" explainText=\"$(string.{n}_Explain)\"{presentation} key=\"{key}\"{value}>\n      <parentCategory ref=\"MFAAssistant\" />\n      <supportedOn ref=\"SUPPORTED_MFAAssistant\" />\n",
            n = s.name,
            key = escape(POLICY_KEY),
            presentation = if s.kind == ValueKind::Flag {
                String::new()
            } else {
                format!(" presentation=\"$(presentation.{})\"", s.name)
            },
            value = if s.kind == ValueKind::Flag {
                format!(" valueName=\"{}\"", s.name)
            } else {
                String::new()
            },
        ));
        match s.kind {
            ValueKind::Flag => out.push_str(
                "      <enabledValue><decimal value=\"1\" /></enabledValue>\n      <disabledValue><decimal value=\"0\" /></disabledValue>\n",
            ),
            ValueKind::Text => out.push_str(&format!(
                "      <elements>\n        <text id=\"{n}\" valueName=\"{n}\" required=\"true\" />\n      </elements>\n",
                n = s.name
            )),
            ValueKind::Number => {
                let (min, max) = s.range.expect("numbers have a range");
                out.push_str(&format!(
                    "      <elements>\n        <decimal id=\"{n}\" valueName=\"{n}\" required=\"true\" minValue=\"{min}\" maxValue=\"{max}\" />\n      </elements>\n",
                    n = s.name
                ));
            }
            ValueKind::List => out.push_str(&format!(
                "      <elements>\n        <multiText id=\"{n}\" valueName=\"{n}\" required=\"true\" />\n      </elements>\n",
                n = s.name
            )),
        }
        out.push_str("    </policy>\n");
    }
    out.push_str("  </policies>\n</policyDefinitions>\n");
    out
}

fn presentation(s: &PolicySetting) -> Option<String> {
    let label = escape(s.label);
    let control = match s.kind {
        ValueKind::Flag => return None,
        ValueKind::Text => format!(
            "<textBox refId=\"{}\"><label>{label}</label></textBox>",
            s.name
        ),
        ValueKind::Number => format!(
            "<decimalTextBox refId=\"{}\" spinStep=\"1\">{label}</decimalTextBox>",
            s.name
        ),
        ValueKind::List => format!("<multiTextBox refId=\"{}\">{label}</multiTextBox>", s.name),
    };
    Some(format!(
        "      <presentation id=\"{}\">{control}</presentation>\n",
        s.name
    ))
}

fn adml() -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from mfa_core::policy::POLICY_VALUES by src-tauri/crates/mfa-core/tests/policy_templates.rs. Do not edit. -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <displayName>MFA Assistant</displayName>
  <description>Settings of MFA Assistant, the self-service MFA helper for Microsoft 365.</description>
  <resources>
    <stringTable>
      <string id="MFAAssistant">MFA Assistant</string>
      <string id="SUPPORTED_MFAAssistant">MFA Assistant 0.1 and later</string>
"#,
    );
    for s in POLICY_VALUES {
        out.push_str(&format!(
            "      <string id=\"{n}\">{label}</string>\n      <string id=\"{n}_Explain\">{explain}</string>\n",
            n = s.name,
            label = escape(s.label),
            explain = escape(s.explain)
        ));
    }
    out.push_str("    </stringTable>\n    <presentationTable>\n");
    for s in POLICY_VALUES {
        if let Some(p) = presentation(s) {
            out.push_str(&p);
        }
    }
    out.push_str("    </presentationTable>\n  </resources>\n</policyDefinitionResources>\n");
    out
}

fn well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
}

#[test]
fn the_windows_templates_are_generated_from_the_policy_table() {
    for (path, want) in [
        (packaging().join("windows/mfa-assistant.admx"), admx()),
        (packaging().join("windows/en-US/mfa-assistant.adml"), adml()),
    ] {
        well_formed(&want);
        if std::env::var_os("UPDATE_POLICY_TEMPLATES").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale: run UPDATE_POLICY_TEMPLATES=1 cargo test -p mfa-core --test policy_templates",
            path.display()
        );
    }
}

#[test]
fn the_sample_configuration_profile_makes_a_valid_configuration() {
    let bytes = std::fs::read(packaging().join("macos/mfa-assistant.mobileconfig")).unwrap();
    let profile = plist::Value::from_reader(std::io::Cursor::new(&bytes)).unwrap();
    let payload = profile
        .as_dictionary()
        .and_then(|d| d.get("PayloadContent"))
        .and_then(|c| c.as_array())
        .and_then(|a| a.first())
        .expect("one payload");
    assert_eq!(
        payload
            .as_dictionary()
            .and_then(|d| d.get("PayloadType"))
            .and_then(|t| t.as_string()),
        Some(mfa_core::policy::PREFERENCE_DOMAIN)
    );
    // What the MDM agent writes to /Library/Managed Preferences: the payload's keys.
    let mut written = Vec::new();
    payload.to_writer_xml(&mut written).unwrap();
    let values = mfa_core::policy::plist_values(&written).unwrap();
    let table = mfa_core::policy::table_from_values(&values).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let managed = dir.path().join("managed.toml");
    std::fs::write(&managed, toml::to_string(&table).unwrap()).unwrap();
    let layered = mfa_core::config::load_layered(&managed, None).unwrap_or_else(|e| panic!("{e}"));
    let config = layered.config.expect("the sample names a tenant");
    assert_eq!(config.tenant, "contoso.com");
    assert!(!layered.demo_allowed);
    assert!(layered.helpdesk.is_some());
    assert!(layered.account_recovery);
}
