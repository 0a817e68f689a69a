use super::form::WORDS;
use super::*;
use std::time::Duration;
use time::macros::datetime;
use time::OffsetDateTime;

fn form() -> ResetForm {
    ResetForm {
        upn: " Dana@Contoso-Demo.example ".into(),
        reason: Reason::LostPhone,
        reason_detail: "Left it on the train".into(),
        still_has: vec![StillHas::Password, StillHas::Password],
        callback: CallbackPreference::DirectoryPhone,
        availability: "weekdays 9-17".into(),
    }
}

fn domains() -> Vec<String> {
    vec!["contoso-demo.example".into()]
}

fn device() -> Device {
    Device {
        os: "Debian 12".into(),
        app_version: "0.1.0".into(),
    }
}

fn prepare(f: &ResetForm) -> Result<ResetRequest, FormError> {
    f.prepare(
        &domains(),
        Some("contoso-demo.example"),
        device(),
        datetime!(2026-11-22 9:30:15.5 UTC),
        "maple-otter-47".into(),
    )
}

#[test]
fn typed_text_is_sent_as_one_line_and_hidden_characters_are_refused() {
    let mut f = form();
    f.reason_detail = "Left it\non the   train\r\n(stolen)".into();
    assert_eq!(
        prepare(&f).unwrap().reason_detail.as_deref(),
        Some("Left it on the train (stolen)")
    );
    f.availability = "after\u{202e}3 pm".into();
    let error = prepare(&f).unwrap_err();
    assert_eq!(error.field, "availability");
    assert_eq!(error.kind, FormProblem::Hidden);
    assert!(error.problem.contains("U+202E"), "{}", error.problem);
    let mut f = form();
    f.upn = "dana(ceo)@contoso-demo.example".into();
    let error = prepare(&f).unwrap_err();
    assert_eq!(error.field, "upn");
    assert!(
        error.problem.contains("'(' is not allowed"),
        "{}",
        error.problem
    );
}

#[test]
fn a_request_carries_what_the_helpdesk_needs_and_no_number_to_enrol() {
    let r = prepare(&form()).unwrap();
    assert_eq!(r.upn.as_str(), "dana@contoso-demo.example");
    assert_eq!(r.still_has, vec![StillHas::Password], "duplicates dropped");
    assert_eq!(r.ignored_runbook_steps(), 0, "the runbook is the relay's");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["unauthenticated"], true);
    assert_eq!(json["schemaVersion"], 2);
    assert!(json.get("runbook").is_none(), "{json}");
    // What the app sends is what the contract accepts.
    helpdesk_contract::validate(&json).expect("a valid version 2 request");
    assert_eq!(json["requestType"], "mfaReset");
    assert_eq!(json["reason"], "lostPhone");
    assert_eq!(json["callback"]["preference"], "directoryPhone");
    assert_eq!(json["createdAt"], "2026-11-22T09:30:15Z");
    assert_eq!(json["verificationPhrase"], "maple-otter-47");
    // No field could carry a phone number to enrol.
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert!(
        !keys.iter().any(|k| k.to_lowercase().contains("phone")),
        "{keys:?}"
    );
    let text = ticket_text(&r);
    assert!(text.contains("UNAUTHENTICATED"));
    assert!(text.contains("maple-otter-47"));
    assert!(text.contains("1. This request is UNAUTHENTICATED"));
    assert!(text.contains("Privileged Authentication Administrator"));
    assert!(text.contains("Temporary Access Pass"));
    assert!(text.contains("Revoke"));
    assert!(text.contains("app passwords"));
}

#[test]
fn bad_upns_are_refused_with_a_reason() {
    for (upn, says) in [
        ("", "enter your work account"),
        ("dana", "has no @"),
        ("dana@", "is not one"),
        ("dana@localhost", "is not one"),
        ("da na@contoso-demo.example", "is not one"),
        ("dana@gmail.com", "not one of your organisation's domains"),
    ] {
        let e = prepare(&ResetForm {
            upn: upn.into(),
            ..form()
        })
        .unwrap_err();
        assert_eq!(e.field, "upn", "{upn}");
        assert!(e.problem.contains(says), "{upn}: {e}");
        // The window words the kind; an empty account, one outside the
        // organisation and a malformed one are told apart.
        let kind = match upn {
            "" => FormProblem::UpnEmpty,
            "dana@gmail.com" => FormProblem::UpnDomain {
                domain: "gmail.com".into(),
                domains: vec!["contoso-demo.example".into()],
            },
            _ => FormProblem::UpnShape,
        };
        assert_eq!(e.kind, kind, "{upn}");
    }
    // With no known domains, any well-formed account is accepted.
    assert_eq!(check_upn("x@fabrikam.com", &[]).unwrap(), "x@fabrikam.com");
}

#[test]
fn other_fields_are_checked() {
    let e = prepare(&ResetForm {
        reason: Reason::Other,
        reason_detail: " ".into(),
        ..form()
    })
    .unwrap_err();
    assert_eq!(e.field, "reasonDetail");
    assert_eq!(e.kind, FormProblem::DetailNeeded);
    let e = prepare(&ResetForm {
        reason_detail: "x".repeat(501),
        ..form()
    })
    .unwrap_err();
    assert_eq!(e.field, "reasonDetail");
    assert_eq!(
        e.kind,
        FormProblem::TooLong {
            max: 500,
            length: 501
        }
    );
    let e = prepare(&ResetForm {
        still_has: vec![],
        ..form()
    })
    .unwrap_err();
    assert_eq!(e.field, "stillHas");
    assert_eq!(e.kind, FormProblem::StillHasEmpty);
    let e = prepare(&ResetForm {
        still_has: vec![StillHas::Nothing, StillHas::Email],
        ..form()
    })
    .unwrap_err();
    assert_eq!(e.field, "stillHas");
    assert_eq!(e.kind, FormProblem::NothingAlone);
    let e = prepare(&ResetForm {
        availability: "y".repeat(201),
        ..form()
    })
    .unwrap_err();
    assert_eq!(e.field, "availability");
    assert_eq!(
        e.kind,
        FormProblem::TooLong {
            max: 200,
            length: 201
        }
    );
}

#[test]
fn phrases_are_two_words_and_two_digits() {
    for _ in 0..50 {
        let p = verification_phrase();
        let parts: Vec<&str> = p.split('-').collect();
        assert_eq!(parts.len(), 3, "{p}");
        assert!(
            WORDS.contains(&parts[0]) && WORDS.contains(&parts[1]),
            "{p}"
        );
        assert_ne!(parts[0], parts[1]);
        assert!(parts[2].len() == 2 && parts[2].chars().all(|c| c.is_ascii_digit()));
    }
}

#[test]
fn a_relay_is_asked_for_the_ticket_number_less_and_less_often_for_a_day() {
    let at = datetime!(2026-11-22 9:30 UTC);
    let wait = |age: time::Duration| next_follow_up(at, at + age).map(|t| t - (at + age));
    assert_eq!(wait(time::Duration::ZERO), Some(time::Duration::seconds(1)));
    assert_eq!(
        wait(time::Duration::seconds(8)),
        Some(time::Duration::seconds(4))
    );
    assert_eq!(
        wait(time::Duration::hours(2)),
        Some(time::Duration::minutes(5))
    );
    assert_eq!(wait(FOLLOW_UP_FOR), None);
}

#[test]
fn backoff_grows_and_is_capped() {
    assert_eq!(backoff(1), Duration::from_secs(5));
    assert_eq!(backoff(2), Duration::from_secs(10));
    assert_eq!(backoff(4), Duration::from_secs(40));
    assert_eq!(backoff(30), Duration::from_secs(300));
}

#[test]
fn the_outbox_keeps_requests_on_disk_and_sets_a_damaged_one_aside() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path().join("outbox"));
    assert!(outbox.entries().unwrap().is_empty());
    let entry = outbox.enqueue(prepare(&form()).unwrap()).unwrap();
    // A new Outbox over the same directory (as after a restart) sees it.
    let again = Outbox::new(dir.path().join("outbox"));
    assert_eq!(again.entries().unwrap(), vec![entry.clone()]);
    assert_eq!(again.next_due().unwrap(), Some(OffsetDateTime::UNIX_EPOCH));
    // One file that is not a request never stops the others, and is kept,
    // set aside, for the helpdesk (diagnostics lists it).
    std::fs::write(dir.path().join("outbox/broken.json"), "{").unwrap();
    assert_eq!(again.entries().unwrap(), vec![entry]);
    let aside = dir.path().join("outbox/broken.json.damaged");
    assert_eq!(again.set_aside(), vec![aside.clone()]);
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), "{");
    assert!(!dir.path().join("outbox/broken.json").exists());
    assert_eq!(again.next_due().unwrap(), Some(OffsetDateTime::UNIX_EPOCH));
}

/// The outbox holds the requester's name, phone and device proof: other
/// users of the computer cannot read it.
#[cfg(unix)]
#[test]
fn the_outbox_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path().join("data/outbox"));
    let entry = outbox.enqueue(prepare(&form()).unwrap()).unwrap();
    let file = dir
        .path()
        .join(format!("data/outbox/{}.json", entry.idempotency_key));
    assert_eq!(mode(&file), 0o600, "{}", file.display());
    assert_eq!(mode(&dir.path().join("data/outbox")), 0o700);
    assert_eq!(mode(&dir.path().join("data")), 0o700);
}

/// An entry as the app before schema version 2 wrote it (its request with
/// the runbook it then sent) loads, and is sent again exactly as first sent:
/// its `Idempotency-Key` is bound to that body.
#[test]
fn an_outbox_entry_written_before_schema_version_two_loads_and_is_resent_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let outbox_dir = dir.path().join("outbox");
    std::fs::create_dir_all(&outbox_dir).unwrap();
    let key = "0b7e2f4c-3c1d-4f6a-9e5b-2a8d7c6b5f41";
    let request = serde_json::json!({
        "schemaVersion": 1,
        "requestType": "mfaReset",
        "upn": "dana@contoso-demo.example",
        "reason": "lostPhone",
        "stillHas": ["password"],
        "callback": {"preference": "directoryPhone"},
        "device": {"os": "Debian 12", "appVersion": "0.1.0"},
        "createdAt": "2026-11-22T09:30:15Z",
        "verificationPhrase": "maple-otter-47",
        "unauthenticated": true,
        "runbook": RUNBOOK,
        "tenant": "contoso-demo.example"
    });
    let old = serde_json::json!({
        "idempotencyKey": key,
        "request": request,
        "state": {"state": "pending"},
        "attempts": 1,
        "nextAttemptAt": null,
        "lastError": "the helpdesk could not be reached"
    });
    std::fs::write(
        outbox_dir.join(format!("{key}.json")),
        serde_json::to_vec_pretty(&old).unwrap(),
    )
    .unwrap();
    let outbox = Outbox::new(outbox_dir);
    let entry = outbox.get(key).unwrap();
    assert_eq!(entry.request.schema_version(), 1);
    assert_eq!(entry.request.ignored_runbook_steps(), RUNBOOK.len());
    assert_eq!(serde_json::to_value(&entry.request).unwrap(), request);
}
