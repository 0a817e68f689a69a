use super::*;

fn text(s: &str) -> PolicyValue {
    PolicyValue::Text(s.to_owned())
}

fn values(pairs: &[(&str, PolicyValue)]) -> Vec<(String, PolicyValue)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect()
}

#[test]
fn registry_values_become_the_managed_files_table() {
    // As Group Policy writes them: texts, DWORDs, a multi-string.
    let table = table_from_values(&values(&[
        ("tenant", text("contoso.com")),
        ("client_id", text(" 4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68 ")),
        ("cloud", text("usGovernment")),
        ("recommended_methods", PolicyValue::Number(4)),
        ("required_methods", text("2")),
        ("allow_demo_tenant", PolicyValue::Number(0)),
        (
            "organisation_domains",
            PolicyValue::List(vec!["contoso.com".into(), "fabrikam.com".into()]),
        ),
        (
            "scopes",
            text("User.Read, UserAuthenticationMethod.ReadWrite"),
        ),
        ("helpdesk_relay", text("https://relay.contoso.com/")),
        (
            "HELPDESK_RELAY_SCOPE",
            text("api://mfa-assistant-relay/DeviceKeys.Enrol"),
        ),
        // "Enabled" with an empty box: not set.
        ("security_info_url", text("  ")),
    ]))
    .unwrap();
    let want: toml::Table = r#"
        tenant = "contoso.com"
        client_id = "4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68"
        cloud = "usGovernment"
        recommended_methods = 4
        required_methods = 2
        allow_demo_tenant = false
        organisation_domains = ["contoso.com", "fabrikam.com"]
        scopes = ["User.Read", "UserAuthenticationMethod.ReadWrite"]
        [helpdesk]
        relay = "https://relay.contoso.com/"
        relay_scope = "api://mfa-assistant-relay/DeviceKeys.Enrol"
    "#
    .parse()
    .unwrap();
    assert_eq!(table, want);
}

#[test]
fn a_value_of_the_wrong_type_or_name_is_named() {
    for (pairs, says) in [
        (
            values(&[("recommended_methods", text("three"))]),
            "`recommended_methods` must be a whole number",
        ),
        (
            values(&[("allow_demo_tenant", PolicyValue::Number(7))]),
            "`allow_demo_tenant` must be true or false",
        ),
        (
            values(&[("tenant", PolicyValue::Number(1))]),
            "`tenant` must be text",
        ),
        (
            values(&[("runbook", text("issue a TAP"))]),
            "a value `runbook` this app does not know",
        ),
    ] {
        let e = table_from_values(&pairs).unwrap_err();
        assert!(e.contains(says), "{e}");
    }
}

#[test]
fn a_configuration_profiles_preferences_become_the_same_table() {
    let plist = br#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>PayloadUUID</key><string>ignored: the MDM's own</string>
  <key>tenant</key><string>contoso.com</string>
  <key>client_id</key><string>4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68</string>
  <key>recommended_methods</key><integer>3</integer>
  <key>allow_demo_tenant</key><false/>
  <key>organisation_domains</key><array><string>contoso.com</string></array>
  <key>helpdesk_zendesk</key><string>https://contoso.zendesk.com/</string>
</dict></plist>"#;
    let table = table_from_values(&plist_values(plist).unwrap()).unwrap();
    let want: toml::Table = r#"
        tenant = "contoso.com"
        client_id = "4a1f9c7e-2d8b-4e6a-b3f5-9c0e7d2a1b68"
        recommended_methods = 3
        allow_demo_tenant = false
        organisation_domains = ["contoso.com"]
        [helpdesk]
        zendesk = "https://contoso.zendesk.com/"
    "#
    .parse()
    .unwrap();
    assert_eq!(table, want);
    assert!(plist_values(b"not a plist").is_err());
}

#[test]
fn only_root_may_write_the_organisations_file() {
    assert_eq!(admin_only(0, 0o100644), Ok(()));
    assert_eq!(admin_only(0, 0o040755), Ok(()));
    assert!(admin_only(1000, 0o100644)
        .unwrap_err()
        .contains("owned by user 1000"));
    assert!(admin_only(0, 0o100664)
        .unwrap_err()
        .contains("writable by its group"));
    assert!(admin_only(0, 0o100646)
        .unwrap_err()
        .contains("writable by everyone"));
}

#[cfg(unix)]
#[test]
fn a_managed_file_others_can_write_is_refused_naming_it_and_why() {
    use std::os::unix::fs::PermissionsExt;
    // The tests run as root (scripts/test), as the real file is owned.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "tenant = \"contoso.com\"\nclient_id = \"x\"\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let source = ManagedSource::File {
        path: path.clone(),
        admin_only: true,
    };
    // Owned by whoever runs the tests: honoured only if that is root.
    let root = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(&path).unwrap().uid() == 0
    };
    match source.read() {
        Ok(table) => assert!(root && table.is_some()),
        Err(e) => assert!(!root && e.to_string().contains("not root"), "{e}"),
    }

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let e = source.read().unwrap_err();
    assert_eq!(e.place, path);
    let message = e.to_string();
    assert!(message.contains("is not used"), "{message}");
    assert!(
        message.contains("writable by its group and everyone") || message.contains("not root"),
        "{message}"
    );

    // The same file, read as a test's managed file, is not checked.
    let unchecked = ManagedSource::File {
        path,
        admin_only: false,
    };
    assert!(unchecked.read().unwrap().is_some());
}
