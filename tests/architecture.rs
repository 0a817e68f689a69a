//! Checks the rules ARCHITECTURE.md states as absences.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The core crates never depend on or mention `tauri`: neither in their
/// manifests (direct dependencies) nor in their sources.
#[test]
fn core_crates_never_import_tauri() {
    let crates = root().join("src-tauri/crates");
    let mut checked = 0;
    for entry in std::fs::read_dir(&crates).unwrap() {
        let dir = entry.unwrap().path();
        // The benchmark's hello-world Tauri window is not part of the core.
        if dir.ends_with("bench-baseline") {
            continue;
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for line in manifest.lines() {
            let name = line.split(['=', '.']).next().unwrap_or_default().trim();
            assert!(
                !name.starts_with("tauri"),
                "{} depends on {name}: the core must stay Tauri-free",
                dir.display()
            );
        }
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                assert!(
                    !code.contains("tauri::") && !code.contains("use tauri"),
                    "{}:{} uses tauri: the core must stay Tauri-free",
                    file.display(),
                    n + 1
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked > 10,
        "expected to check the core's sources, checked {checked} files"
    );
}

/// Every command the app registers is declared in build.rs and granted in the
/// main window's capability, and nothing else is granted.
#[test]
fn every_command_is_declared_and_granted_and_nothing_more() {
    let lib = std::fs::read_to_string(root().join("src-tauri/lib.rs")).unwrap();
    let handler = lib
        .split("generate_handler![")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    let mut registered: Vec<String> = handler
        .split(',')
        .map(|s| s.trim().trim_start_matches("commands::").to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    registered.sort();

    let build = std::fs::read_to_string(root().join("src-tauri/build.rs")).unwrap();
    let list = build
        .split("const COMMANDS: &[&str] = &[")
        .nth(1)
        .unwrap()
        .split("];")
        .next()
        .unwrap();
    let mut declared: Vec<String> = list
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    declared.sort();
    assert_eq!(
        registered, declared,
        "build.rs and generate_handler! disagree"
    );

    let capability: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("src-tauri/capabilities/main-window.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .unwrap()
                .trim_start_matches("allow-")
                .replace('-', "_")
        })
        .collect();
    granted.sort();
    assert_eq!(
        granted, declared,
        "the capability grants something other than the app's commands"
    );
}

/// The webview is locked down: strict CSP, no global Tauri object, frozen
/// prototypes, and no plugin that opens the shell, files or HTTP to the page.
#[test]
fn webview_is_locked_down() {
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tauri.conf.json")).unwrap())
            .unwrap();
    let security = &conf["app"]["security"];
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    assert_eq!(security["freezePrototype"], true);
    assert_eq!(security["csp"]["default-src"], "'self'");
    assert_eq!(security["csp"]["script-src"], "'self'");
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for plugin in ["tauri-plugin-shell", "tauri-plugin-fs", "tauri-plugin-http"] {
        assert!(
            !manifest.contains(plugin),
            "{plugin} must not be a dependency"
        );
    }
}

/// The core's top-level modules depend on each other without a cycle (a
/// module's dependencies are the `crate::<module>` paths its files name), so
/// each can be read, and tested, after those it uses.
#[test]
fn core_modules_have_no_cycle() {
    use std::collections::BTreeMap;
    let src = root().join("src-tauri/crates/mfa-core/src");
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        let uses = deps.entry(name.clone()).or_default();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (at, _) in line.match_indices("crate::") {
                    let rest = &line[at + "crate::".len()..];
                    let module: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                        .collect();
                    if !module.is_empty() && module != name && !uses.contains(&module) {
                        uses.push(module);
                    }
                }
            }
        }
    }
    assert!(deps.len() > 10, "the core's modules were found: {deps:?}");
    // Depth-first search; a module met again on the current path is a cycle.
    fn visit(
        module: &str,
        deps: &BTreeMap<String, Vec<String>>,
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) {
        if done.iter().any(|d| d == module) {
            return;
        }
        if let Some(at) = path.iter().position(|p| p == module) {
            panic!(
                "a module cycle in mfa-core: {} -> {module}",
                path[at..].join(" -> ")
            );
        }
        path.push(module.to_owned());
        for next in deps.get(module).into_iter().flatten() {
            visit(next, deps, path, done);
        }
        path.pop();
        done.push(module.to_owned());
    }
    let mut done = Vec::new();
    for module in deps.keys() {
        visit(module, &deps, &mut Vec::new(), &mut done);
    }
    assert!(
        !deps["device_key"].contains(&"helpdesk".to_string()),
        "device_key uses helpdesk again"
    );
}

/// A journey changes in one place: only `journey/engine.rs` moves a
/// journey's cursor or changes its steps and notes (the fields are private,
/// so nothing outside `journey/` can; this keeps the other journey modules
/// to making, reading and storing journeys). Unit tests may set up state.
#[test]
fn only_the_journey_engine_changes_a_journey() {
    let dir = root().join("src-tauri/crates/mfa-core/src/journey");
    let fields = [
        "steps",
        "current",
        "note",
        "removed_elsewhere",
        "old_device_lost",
    ];
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "engine.rs" || !name.ends_with(".rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or_default();
            let at = format!("{}:{}", path.display(), n + 1);
            assert!(
                !line.contains("&mut self"),
                "{at}: only journey/engine.rs has `&mut self` methods"
            );
            for field in fields {
                let dotted = format!(".{field}");
                for (i, _) in line.match_indices(&dotted) {
                    let rest = line[i + dotted.len()..].trim_start();
                    let writes = rest.starts_with("+=")
                        || rest.starts_with("-=")
                        || (rest.starts_with('=') && !rest.starts_with("=="))
                        || rest.starts_with(".get_mut(")
                        || rest.starts_with(".push(")
                        || (rest.starts_with('[')
                            && rest
                                .split_once(']')
                                .is_some_and(|(_, after)| after.trim_start().starts_with("= ")));
                    assert!(
                        !writes,
                        "{at}: `{field}` of a journey is changed outside journey/engine.rs"
                    );
                }
            }
        }
        checked.push(name);
    }
    checked.sort();
    assert_eq!(
        checked,
        ["activity.rs", "mod.rs", "plan.rs", "step.rs", "store.rs"],
        "the journey modules were found"
    );
}

/// Every command is a delegation to the assistant: it reaches the core only
/// through `Assistant` (no session, outbox, journey store or device keys of
/// its own), and its body is a few lines: check, delegate, make the view.
#[test]
fn commands_only_delegate_to_the_assistant() {
    let source = std::fs::read_to_string(root().join("src-tauri/commands.rs")).unwrap();
    for forbidden in [
        "mfa_core::session",
        "Session::",
        "Outbox",
        "JourneyStore",
        "DeviceKeyStore",
        "tokio::",
        "std::fs",
        ".session",
    ] {
        assert!(
            !source.contains(forbidden),
            "commands.rs mentions {forbidden}: commands delegate to mfa_core::assistant::Assistant"
        );
    }
    let mut commands = 0;
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[tauri::command]" {
            continue;
        }
        commands += 1;
        let signature = lines.next().unwrap_or_default().to_owned();
        // Skip the rest of the signature, up to the line that opens the body.
        let mut opening = signature.clone();
        while !opening.trim_end().ends_with('{') {
            opening = lines.next().unwrap_or_default().to_owned();
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "}").collect();
        // Formatted by rustfmt, so one delegation may span a few lines.
        assert!(
            body.len() <= 8,
            "{signature}: {} lines; a command checks, delegates and makes the view",
            body.len()
        );
    }
    assert!(commands >= 25, "found only {commands} commands");
}

/// The packages IT deploys: the Windows installers carry the WebView2
/// runtime (enterprises block downloads at install time) and install for
/// every user of the machine; the macOS bundle's identifier is the
/// managed-preferences domain the app reads its organisation's settings from.
#[test]
fn packages_are_made_for_managed_deployment() {
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tauri.conf.json")).unwrap())
            .unwrap();
    let windows = &conf["bundle"]["windows"];
    assert_eq!(
        windows["webviewInstallMode"]["type"], "offlineInstaller",
        "WebView2 must be installed offline"
    );
    assert_eq!(windows["nsis"]["installMode"], "perMachine");
    assert_eq!(
        conf["identifier"].as_str(),
        Some(mfa_core::policy::PREFERENCE_DOMAIN)
    );
}
