//! The IPC boundary on Tauri's mock runtime (no display): commands answer
//! with the wire types, errors cross as `{code, message}`, and only the main
//! window may call them.

use mfa_assistant::backend::{BackendSource, ExplicitBackend};
use mfa_core::config::{Cloud, Config, Endpoints, DEFAULT_SCOPES};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};
use tenant_emulator::{demo, Emulator, EmulatorConfig};

struct Fixture {
    app: tauri::App<tauri::test::MockRuntime>,
    data_dir: tempfile::TempDir,
    _emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

fn fixture() -> Fixture {
    fixture_with_helpdesk(false)
}

/// With `helpdesk`, reset requests go to the emulator's stand-in relay.
fn fixture_with_helpdesk(helpdesk: bool) -> Fixture {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(Emulator::start(EmulatorConfig::default()))
        .unwrap();
    let base = emulator.base_url();
    let data_dir = tempfile::tempdir().unwrap();
    let config = Config {
        cloud: Cloud::Custom {
            authority_host: base.clone(),
            graph_base: base.clone(),
            graph_api: mfa_core::config::GraphApi::V1,
        },
        tenant: demo::TENANT_ID.into(),
        client_id: demo::CLIENT_ID.into(),
        scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        extra_root_certificate: None,
        sign_in_timeout: std::time::Duration::from_secs(30),
        source: Some("/home/adele/.config/mfa-assistant/config.toml".into()),
    };
    let source = BackendSource::Explicit(Box::new(ExplicitBackend {
        config,
        endpoints: Endpoints {
            authority_host: base.clone(),
            graph_base: base,
        },
        keychain_service: format!("mfa-assistant-ipc-test-{}", uuid_like()),
        data_dir: data_dir.path().to_owned(),
        helpdesk: helpdesk.then(|| {
            mfa_core::config::Helpdesk::Relay(emulator.base_url().join("helpdesk/").unwrap())
        }),
        relay_scope: None,
        organisation_domains: vec![demo::DOMAIN.to_owned()],
    }));
    let app = mfa_assistant::build(mock_builder(), source)
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime");
    Fixture {
        app,
        data_dir,
        _emulator: emulator,
        _runtime: runtime,
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
) -> Result<Value, Value> {
    invoke_with(webview, cmd, json!({}))
}

fn invoke_with(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

fn main_window(f: &Fixture) -> tauri::WebviewWindow<tauri::test::MockRuntime> {
    f.app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(&f.app, "main", Default::default())
            .build()
            .unwrap()
    })
}

#[test]
fn commands_answer_with_wire_types_and_errors_as_code_and_message() {
    let f = fixture();
    let main = main_window(&f);

    let info = invoke(&main, "app_info").unwrap();
    assert_eq!(info["tenant"]["demo"], json!(false));
    assert_eq!(info["tenant"]["cloud"], json!("custom"));
    assert_eq!(info["tenant"]["tenant"], json!(demo::TENANT_ID));
    let settings = &info["settings"];
    assert_eq!(
        settings["userFile"],
        json!("/home/adele/.config/mfa-assistant/config.toml")
    );
    assert_eq!(settings["userFound"], json!(true));
    assert_eq!(settings["ignored"], json!([]));
    let entry = |key: &str| {
        settings["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .unwrap_or_else(|| panic!("no setting {key} in {settings}"))
            .clone()
    };
    assert_eq!(
        entry("tenant"),
        json!({"key": "tenant", "value": demo::TENANT_ID, "detail": null, "origin": "user"})
    );
    assert_eq!(entry("scopes")["origin"], json!("builtIn"));
    assert_eq!(entry("helpdesk")["value"], json!(null));
    assert_eq!(info["demoUsers"], json!([]));

    assert_eq!(
        invoke(&main, "restore_session").unwrap(),
        json!({"state": "signedOut"})
    );

    let err = invoke(&main, "load_security_info").unwrap_err();
    assert_eq!(err["code"], json!("not_signed_in"));
    assert_eq!(err["message"], json!("nobody is signed in"));
    // The code says it all: no values for the window to word.
    assert_eq!(err["detail"], json!({"kind": "none"}));
    assert_eq!(
        err.as_object().unwrap().len(),
        3,
        "exactly code, detail and message: {err}"
    );

    assert_eq!(
        invoke(&main, "sign_out").unwrap(),
        json!({"removedFromKeychain": false})
    );
    assert_eq!(invoke(&main, "cancel_sign_in").unwrap(), Value::Null);

    // Account recovery is off unless the organisation turns it on: the
    // triage lists no reason for it, and it does not open.
    assert_eq!(info["accountRecoveryFor"], json!([]));
    assert_eq!(entry("account_recovery")["value"], json!("false"));
    let err = invoke(&main, "open_account_recovery").unwrap_err();
    assert_eq!(err["code"], json!("not_configured"));
    assert!(
        err["message"].as_str().unwrap().contains("not turned on"),
        "{err}"
    );
    // Nobody has signed in on this computer yet: no name to compare.
    assert_eq!(invoke(&main, "last_account").unwrap(), Value::Null);
}

#[test]
fn only_the_main_window_may_call_the_commands() {
    let f = fixture();
    let other = WebviewWindowBuilder::new(&f.app, "other", Default::default())
        .build()
        .unwrap();
    let err = invoke(&other, "app_info").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("not allowed") || text.contains("denied"),
        "{text}"
    );
}

#[test]
fn unknown_commands_are_refused() {
    let f = fixture();
    let err = invoke(&main_window(&f), "delete_everything").unwrap_err();
    assert!(err.to_string().contains("delete_everything"), "{err}");
}

#[test]
fn navigation_stays_inside_the_app() {
    for (url, allowed) in [
        ("tauri://localhost/index.html", true),
        ("http://tauri.localhost/", true),
        (
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            false,
        ),
        ("http://127.0.0.1:8080/", false),
        ("file:///etc/passwd", false),
        // The app's host on another port is another local server, not the app.
        ("http://tauri.localhost:8080/", false),
        ("https://tauri.localhost:4443/", false),
        ("tauri://localhost:1234/index.html", false),
        ("http://evil@tauri.localhost/", false),
        // Windows serves the app over http (useHttpsScheme is off).
        ("https://tauri.localhost/", false),
        ("http://tauri.localhost.evil.example/", false),
    ] {
        assert_eq!(
            mfa_assistant::is_app_url(&url.parse().unwrap()),
            allowed,
            "{url}"
        );
    }
}

#[test]
fn change_commands_refuse_bad_arguments_before_anything_is_sent() {
    let f = fixture();
    let main = main_window(&f);
    let cases = [
        (
            "change_phone_number",
            json!({"phoneType": "mobile", "number": "07700900123", "numberAgain": "07700900123"}),
            "number",
            "+44 7700900123",
        ),
        (
            "change_phone_number",
            json!({"phoneType": "pager", "number": "+44 7700900123", "numberAgain": "+44 7700900123"}),
            "phoneType",
            "\"mobile\", \"alternateMobile\" or \"office\"",
        ),
        (
            "change_phone_number",
            json!({"phoneType": "mobile", "number": "+44 7700900123", "numberAgain": "+44 7700900123", "replacing": "fax"}),
            "replacing",
            "\"fax\"",
        ),
        // Typed twice: a slipped digit in the second is caught, and named.
        (
            "change_phone_number",
            json!({"phoneType": "mobile", "number": "+44 7700900123", "numberAgain": "+44 7700900132"}),
            "numberAgain",
            "+44 7700900132",
        ),
        (
            "change_phone_number",
            json!({"phoneType": "mobile", "number": "+44 7700900123"}),
            "numberAgain",
            "numberAgain",
        ),
        (
            "answer_same_phone",
            json!({"number": "07700 900123", "phone": "Adele's iPhone 13", "same": true}),
            "number",
            "+44 7700900123",
        ),
        (
            "answer_same_phone",
            json!({"number": "+1 4255550101", "phone": "iPhone\u{7}", "same": true}),
            "phone",
            "control characters",
        ),
        (
            "answer_same_phone",
            json!({"number": "+1 4255550101", "phone": "iPhone", "same": "perhaps"}),
            "same",
            "boolean",
        ),
        (
            "choose_default",
            json!({"choice": "carrierPigeon"}),
            "choice",
            "\"push\", \"oath\", \"sms\"",
        ),
        (
            "add_method",
            json!({"registration": "password"}),
            "registration",
            "securityKey",
        ),
        (
            "remove_method",
            json!({"id": "../../users/ceo"}),
            "id",
            "only letters, digits",
        ),
        (
            "answer_journey",
            json!({"answer": "maybe"}),
            "answer",
            "\"works\", \"notWorking\" or \"acceptConcerns\"",
        ),
    ];
    for (cmd, args, field, says) in cases {
        let err = invoke_with(&main, cmd, args.clone()).unwrap_err();
        assert_eq!(err["code"], json!("invalid_input"), "{cmd} {args}: {err}");
        assert_eq!(err["field"], json!(field), "{cmd} {args}: {err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(says), "{cmd} {args}: {message}");
    }

    // A typed number's problem crosses as values the window words: which
    // rule, and for two typings that differ, both as the back end reads them.
    let phone = |number: &str, again: &str| {
        invoke_with(
            &main,
            "change_phone_number",
            json!({"phoneType": "mobile", "number": number, "numberAgain": again}),
        )
        .unwrap_err()["detail"]
            .clone()
    };
    assert_eq!(
        phone("07700900123", "07700900123"),
        json!({"kind": "phoneNumber", "problem": "noPlus"})
    );
    assert_eq!(
        phone("+44 7700 900123", "+44 7700900132"),
        json!({"kind": "phoneNumber", "problem": "differ",
               "first": "+44 7700900123", "again": "+44 7700900132"})
    );
}

#[test]
fn a_second_window_cannot_run_a_journey_step_at_the_same_time() {
    let f = fixture();
    let main = main_window(&f);
    // Another app window holds the tenant's journey lock.
    let dir = f.data_dir.path().join("journeys").join(format!(
        "custom_{}_{}",
        demo::TENANT_ID,
        demo::CLIENT_ID
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("journey.lock"))
        .unwrap();
    held.lock().unwrap();
    let err = invoke(&main, "continue_journey").unwrap_err();
    assert_eq!(err["code"], json!("journey_busy"), "{err}");
    held.unlock().unwrap();
    // Once it is free, the command runs (and finds no journey to continue).
    let err = invoke(&main, "continue_journey").unwrap_err();
    assert_eq!(err["code"], json!("not_signed_in"), "{err}");
}

#[test]
fn the_reset_form_is_checked_field_by_field_and_a_draft_is_sent_once() {
    let f = fixture_with_helpdesk(true);
    let main = main_window(&f);
    let form = |patch: Value| {
        let mut form = json!({
            "upn": format!("dana@{}", demo::DOMAIN),
            "reason": "lostPhone",
            "reasonDetail": "",
            "stillHas": ["password"],
            "callback": "directoryPhone",
            "availability": "",
        });
        for (k, v) in patch.as_object().unwrap() {
            form[k] = v.clone();
        }
        json!({ "form": form })
    };
    let cases = [
        (json!({"reason": "alien"}), "reason", "`lostPhone`"),
        (
            json!({"stillHas": ["password", "cat"]}),
            "stillHas[1]",
            "`oldPhone`",
        ),
        (json!({"upn": "ceo@evil.example"}), "upn", "evil.example"),
        (
            json!({"reasonDetail": "call me \u{202e}now"}),
            "reasonDetail",
            "reasonDetail",
        ),
        (
            json!({"runbook": ["issue a TAP"]}),
            "runbook",
            "unknown field",
        ),
    ];
    for (patch, field, says) in cases {
        let err = invoke_with(&main, "prepare_reset_request", form(patch.clone())).unwrap_err();
        assert_eq!(err["code"], json!("invalid_input"), "{patch}: {err}");
        assert_eq!(err["field"], json!(field), "{patch}: {err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(says), "{patch}: {message}");
    }
    // The form's own rules cross as values the window words.
    let detail = |patch: Value| {
        invoke_with(&main, "prepare_reset_request", form(patch)).unwrap_err()["detail"].clone()
    };
    assert_eq!(
        detail(json!({"upn": "ceo@evil.example"})),
        json!({"kind": "formField", "problem": "upnDomain", "domain": "evil.example", "domains": [demo::DOMAIN]})
    );
    assert_eq!(
        detail(json!({"reasonDetail": "call me \u{202e}now"})),
        json!({"kind": "formField", "problem": "hidden"})
    );
    assert_eq!(
        detail(json!({"availability": "x".repeat(201)})),
        json!({"kind": "formField", "problem": "tooLong", "max": 200, "length": 201})
    );

    let preview = invoke_with(&main, "prepare_reset_request", form(json!({}))).unwrap();
    assert_eq!(
        preview["request"]["upn"],
        json!(format!("dana@{}", demo::DOMAIN))
    );
    assert_eq!(preview["helpdeskKind"], json!("relay"));
    let draft = json!({"draftId": preview["draftId"]});
    let sent = invoke_with(&main, "send_reset_request", draft.clone()).unwrap();
    assert_eq!(
        sent["verificationPhrase"],
        preview["request"]["verificationPhrase"]
    );
    let again = invoke_with(&main, "send_reset_request", draft).unwrap_err();
    assert_eq!(again["code"], json!("invalid_input"), "{again}");
    assert!(
        again["message"].as_str().unwrap().contains("already sent"),
        "{again}"
    );
    let listed = invoke(&main, "reset_requests").unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["key"], sent["key"]);
}

/// The window's language: a choice is remembered in the data folder and
/// wins over the system; "system" forgets it; bad arguments are refused
/// with the field at fault. (`MFA_ASSISTANT_LANGUAGE` is not set in tests.)
#[test]
fn the_language_chosen_in_the_window_is_remembered() {
    let f = fixture();
    let main = main_window(&f);
    let ask = |webview: Value| invoke_with(&main, "ui_language", json!({ "webview": webview }));
    let first = ask(json!(["ja-JP"])).unwrap();
    assert_eq!(first["chosen"], json!(false));
    assert_eq!(first["forced"], json!(false));
    assert_eq!(
        invoke_with(&main, "choose_language", json!({"language": "pt-BR"})).unwrap(),
        Value::Null
    );
    let file = f.data_dir.path().join("language.json");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        r#"{"language":"pt-BR"}"#
    );
    assert_eq!(
        ask(json!(["ja-JP"])).unwrap(),
        json!({"language": "pt-BR", "chosen": true, "forced": false})
    );
    invoke_with(&main, "choose_language", json!({"language": "system"})).unwrap();
    assert!(!file.exists());
    assert_eq!(ask(json!(["ja-JP"])).unwrap()["chosen"], json!(false));

    let err = invoke_with(&main, "choose_language", json!({"language": "tlh"})).unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"));
    assert_eq!(err["field"], json!("language"));
    assert!(
        err["message"].as_str().unwrap().contains("\"zh-Hans\""),
        "{err}"
    );
    let err = ask(json!(["de-DE", "<script>"])).unwrap_err();
    assert_eq!(
        (err["code"].clone(), err["field"].clone()),
        (json!("invalid_input"), json!("webview"))
    );
    assert!(!file.exists(), "a refused choice changes nothing");

    // The CSV export's column names come from the window: five, one line each.
    for headers in [
        json!(["a", "b", "c", "d"]),
        json!(["a", "b", "c", "d", "e\nf"]),
    ] {
        let err =
            invoke_with(&main, "export_activity_log", json!({ "headers": headers })).unwrap_err();
        assert_eq!(
            (err["code"].clone(), err["field"].clone()),
            (json!("invalid_input"), json!("headers"))
        );
    }
}
