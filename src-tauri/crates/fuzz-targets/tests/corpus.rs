//! Replays the fuzz corpus on the stable toolchain: every file in
//! `fuzz/corpus/<target>/` and every fixed crash in
//! `fuzz/regressions/<target>/` goes through the same function the fuzzer
//! calls. A target without a corpus, or a fuzz binary without a target
//! here, fails the test: nothing can drop out unnoticed.

use std::path::{Path, PathBuf};

use fuzz_targets::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8]), files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for file in files {
        let data = std::fs::read(file).expect("a corpus file reads");
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{target}: {}: {message}", file.display()));
        }
    }
    failures
}

#[test]
fn every_corpus_file_and_fixed_crash_replays_clean() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, run) in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(target));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{target}/ is missing or empty: every target keeps seeds"
        );
        let regressions = files(&fuzz_dir().join("regressions").join(target));
        failures.extend(replay(target, *run, &corpus));
        failures.extend(replay(target, *run, &regressions));
        replayed += corpus.len() + regressions.len();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(replayed >= TARGETS.len());
}

#[test]
fn every_fuzz_binary_is_a_target_and_every_target_has_one() {
    let mut binaries: Vec<String> = files(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    binaries.sort();
    let mut targets: Vec<String> = TARGETS.iter().map(|(t, _)| (*t).to_owned()).collect();
    targets.sort();
    assert_eq!(binaries, targets);
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for (target, _) in TARGETS {
        let body =
            std::fs::read_to_string(fuzz_dir().join("fuzz_targets").join(format!("{target}.rs")))
                .unwrap();
        assert!(
            body.contains(&format!("fuzz_targets::{target}(data)")),
            "fuzz/fuzz_targets/{target}.rs calls fuzz_targets::{target}"
        );
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "fuzz/Cargo.toml declares {target}"
        );
    }
    // Regressions are kept only for targets that exist.
    for dir in std::fs::read_dir(fuzz_dir().join("regressions"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        let name = dir.file_name().to_string_lossy().into_owned();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/regressions/{name} names no target"
        );
    }
}

/// The replay itself must fail on a failing input, or it proves nothing.
#[test]
fn the_replay_reports_a_panicking_input_by_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seed");
    std::fs::write(&file, b"boom").unwrap();
    fn explodes(data: &[u8]) {
        assert_ne!(data, b"boom", "the input exploded");
    }
    let failures = replay("explodes", explodes, &[file]);
    assert_eq!(failures.len(), 1);
    assert!(failures[0].contains("seed") && failures[0].contains("exploded"));
}
