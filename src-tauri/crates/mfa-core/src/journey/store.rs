//! Where a tenant's journey lives: `journey.json` (at most one journey, in
//! the JSON shape the app has always written), the activity log beside it,
//! and `journey.lock`, which serialises journeys across app windows.
//!
//! The file keeps the plain shape (strings for ids, phone types, numbers,
//! prompts and notes); reading it checks every value once and gives typed
//! [`Step`]s, so a damaged file is reported on load, naming the file, and
//! never half-runs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ConcernKind, Journey, JourneyError, JourneyKind, Note, Registration, Step};
use crate::guardrails::{Concern, PhoneNumber};
use crate::security_info::{MethodId, PhoneType, SecondaryMethod};

/// Where journeys and the activity log live (the app's data directory, one
/// directory per tenant).
#[derive(Debug, Clone)]
pub struct JourneyStore {
    dir: PathBuf,
}

/// Holds the cross-window lock on a tenant's journeys (released on drop).
#[derive(Debug)]
pub struct JourneyLock {
    _file: std::fs::File,
}

impl JourneyStore {
    pub fn new(dir: impl Into<PathBuf>) -> JourneyStore {
        JourneyStore { dir: dir.into() }
    }

    fn journey_path(&self) -> PathBuf {
        self.dir.join("journey.json")
    }

    pub fn activity_path(&self) -> PathBuf {
        self.dir.join("activity.jsonl")
    }

    /// The remembered answers to "is this number on the same phone as
    /// Authenticator?" ([`crate::assistant`]), beside the journey, the
    /// user's alone like it.
    pub fn same_phone_path(&self) -> PathBuf {
        self.dir.join("same-phone.json")
    }

    /// The account last signed in on this computer (its name, for a
    /// locked-out user to compare with their ID), beside the journey.
    pub fn last_account_path(&self) -> PathBuf {
        self.dir.join("last-account.json")
    }

    /// Writes `bytes` to the store's `name` atomically, owner-only.
    pub fn write_file(&self, path: &Path, bytes: &[u8]) -> Result<(), JourneyError> {
        write_atomically(path, bytes)
            .map_err(|e| JourneyError::Storage(format!("{}: {e}", path.display())))
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join("journey.lock")
    }

    /// Takes the lock another app window would hold while it runs a step of
    /// this tenant's journey; [`JourneyError::Busy`] if one does.
    pub fn lock(&self) -> Result<JourneyLock, JourneyError> {
        let path = self.lock_path();
        crate::owner_only::create_app_dir(&self.dir)
            .map_err(|e| JourneyError::Storage(format!("{}: {e}", self.dir.display())))?;
        let file = crate::owner_only::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| JourneyError::Storage(format!("{}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(JourneyLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(JourneyError::Busy),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(JourneyError::Storage(format!("{}: {e}", path.display())))
            }
        }
    }

    /// The saved journey, if any.
    pub fn load(&self) -> Result<Option<Journey>, JourneyError> {
        let path = self.journey_path();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(JourneyError::Storage(format!("{}: {e}", path.display()))),
        };
        match read_journey(&bytes) {
            Ok(journey) => Ok(Some(journey)),
            Err(e) => Err(JourneyError::Storage(format!(
                "{} cannot be read ({e}); delete it to start over",
                path.display()
            ))),
        }
    }

    /// Saves atomically: a crash leaves the old or the new file, never half.
    pub fn save(&self, journey: &Journey) -> Result<(), JourneyError> {
        let bytes = journey_bytes(journey).map_err(JourneyError::Storage)?;
        write_atomically(&self.journey_path(), &bytes)
            .map_err(|e| JourneyError::Storage(format!("{}: {e}", self.journey_path().display())))
    }

    pub fn clear(&self) -> Result<(), JourneyError> {
        match std::fs::remove_file(self.journey_path()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(JourneyError::Storage(e.to_string())),
        }
    }

    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A journey file's bytes, read into typed steps with the same checks as
/// the user's input; the error says what is wrong.
pub(crate) fn read_journey(bytes: &[u8]) -> Result<Journey, String> {
    serde_json::from_slice::<JourneyFile>(bytes)
        .map_err(|e| e.to_string())
        .and_then(Journey::try_from)
}

/// A journey as its file holds it (the first release's shape).
pub(crate) fn journey_bytes(journey: &Journey) -> Result<Vec<u8>, String> {
    serde_json::to_vec_pretty(&JourneyFile::from(journey)).map_err(|e| e.to_string())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        crate::owner_only::create_app_dir(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut f = crate::owner_only::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

// ---- the file's shape ----------------------------------------------------
//
// Field names are exactly those the first release wrote: the journey's own
// in camelCase, a step's and a phone registration's in snake_case (serde's
// `rename_all` on an enum renames variants, not their fields).

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JourneyFile {
    id: String,
    upn: String,
    kind: JourneyKind,
    #[serde(with = "time::serde::rfc3339")]
    started: OffsetDateTime,
    steps: Vec<StepFile>,
    current: usize,
    old_device_lost: bool,
    note: Option<String>,
    #[serde(default)]
    removed_elsewhere: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "step")]
enum StepFile {
    ConfirmIdentity,
    Register {
        registration: RegistrationFile,
        known_ids: Vec<String>,
        found: Option<String>,
    },
    ConfirmWorks {
        method: Option<String>,
    },
    SetDefault {
        choice: String,
    },
    AddPhone {
        phone_type: String,
        number: String,
    },
    UpdatePhone {
        phone_type: String,
        number: String,
    },
    Remove {
        id: String,
        replaced_by_new: bool,
        accepted: Vec<String>,
        /// Added later; absent in older files and when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        raised: Vec<ConcernFile>,
    },
    Verify,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
enum RegistrationFile {
    Authenticator,
    AuthenticatorPasskey,
    AuthenticatorApp,
    SecurityKey,
    Phone { phone_type: String, number: String },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
enum ConcernFile {
    BelowRecommended { after: u32, recommended: u32 },
    SingleDevice,
    LosesPhishingResistance,
}

impl From<&Journey> for JourneyFile {
    fn from(j: &Journey) -> JourneyFile {
        JourneyFile {
            id: j.id.clone(),
            upn: j.upn.clone(),
            kind: j.kind,
            started: j.started,
            steps: j.steps.iter().map(StepFile::from).collect(),
            current: j.current,
            old_device_lost: j.old_device_lost,
            note: j.note.as_ref().map(Note::to_string),
            removed_elsewhere: j.removed_elsewhere,
        }
    }
}

fn ids(ids: &[MethodId]) -> Vec<String> {
    ids.iter().map(|id| id.as_str().to_owned()).collect()
}

fn id_text(id: &Option<MethodId>) -> Option<String> {
    id.as_ref().map(|id| id.as_str().to_owned())
}

impl From<&Step> for StepFile {
    fn from(step: &Step) -> StepFile {
        match step {
            Step::ConfirmIdentity => StepFile::ConfirmIdentity,
            Step::Register {
                registration,
                known_ids,
                found,
            } => StepFile::Register {
                registration: RegistrationFile::from(registration),
                known_ids: ids(known_ids),
                found: id_text(found),
            },
            Step::ConfirmWorks { method } => StepFile::ConfirmWorks {
                method: id_text(method),
            },
            Step::SetDefault { choice } => StepFile::SetDefault {
                choice: choice.as_graph(),
            },
            Step::AddPhone { phone_type, number } => StepFile::AddPhone {
                phone_type: phone_type.as_graph().to_owned(),
                number: number.as_str().to_owned(),
            },
            Step::UpdatePhone { phone_type, number } => StepFile::UpdatePhone {
                phone_type: phone_type.as_graph().to_owned(),
                number: number.as_str().to_owned(),
            },
            Step::Remove {
                id,
                replaced_by_new,
                accepted,
                raised,
            } => StepFile::Remove {
                id: id.as_str().to_owned(),
                replaced_by_new: *replaced_by_new,
                accepted: accepted.iter().map(|k| k.name().to_owned()).collect(),
                raised: raised.iter().map(ConcernFile::from).collect(),
            },
            Step::Verify => StepFile::Verify,
        }
    }
}

impl From<&Registration> for RegistrationFile {
    fn from(r: &Registration) -> RegistrationFile {
        match r {
            Registration::Authenticator => RegistrationFile::Authenticator,
            Registration::AuthenticatorPasskey => RegistrationFile::AuthenticatorPasskey,
            Registration::AuthenticatorApp => RegistrationFile::AuthenticatorApp,
            Registration::SecurityKey => RegistrationFile::SecurityKey,
            Registration::Phone { phone_type, number } => RegistrationFile::Phone {
                phone_type: phone_type.as_graph().to_owned(),
                number: number.as_str().to_owned(),
            },
        }
    }
}

impl From<&Concern> for ConcernFile {
    fn from(c: &Concern) -> ConcernFile {
        match c {
            Concern::BelowRecommended { after, recommended } => ConcernFile::BelowRecommended {
                after: *after,
                recommended: *recommended,
            },
            Concern::SingleDevice => ConcernFile::SingleDevice,
            Concern::LosesPhishingResistance => ConcernFile::LosesPhishingResistance,
        }
    }
}

// Reading checks each value once, with the same rules as the user's input.

fn method_id(s: &str) -> Result<MethodId, String> {
    MethodId::parse(s)
}

fn phone_type(s: &str) -> Result<PhoneType, String> {
    PhoneType::from_graph(s).ok_or_else(|| format!("unknown phone type {s:?}"))
}

fn phone_number(s: &str) -> Result<PhoneNumber, String> {
    PhoneNumber::parse(s).map_err(|e| e.to_string())
}

fn concern_kind(s: &str) -> Result<ConcernKind, String> {
    ConcernKind::from_name(s).ok_or_else(|| format!("unknown concern {s:?}"))
}

impl TryFrom<JourneyFile> for Journey {
    type Error = String;

    fn try_from(f: JourneyFile) -> Result<Journey, String> {
        let steps = f
            .steps
            .into_iter()
            .map(Step::try_from)
            .collect::<Result<Vec<Step>, String>>()?;
        if f.current > steps.len() {
            return Err(format!(
                "step {} of a journey of {} steps",
                f.current,
                steps.len()
            ));
        }
        Ok(Journey {
            id: f.id,
            upn: f.upn,
            kind: f.kind,
            started: f.started,
            steps,
            current: f.current,
            old_device_lost: f.old_device_lost,
            note: f.note.as_deref().map(Note::parse).transpose()?,
            removed_elsewhere: f.removed_elsewhere,
        })
    }
}

impl TryFrom<StepFile> for Step {
    type Error = String;

    fn try_from(f: StepFile) -> Result<Step, String> {
        Ok(match f {
            StepFile::ConfirmIdentity => Step::ConfirmIdentity,
            StepFile::Register {
                registration,
                known_ids,
                found,
            } => Step::Register {
                registration: Registration::try_from(registration)?,
                known_ids: known_ids
                    .iter()
                    .map(|id| method_id(id))
                    .collect::<Result<_, _>>()?,
                found: found.as_deref().map(method_id).transpose()?,
            },
            StepFile::ConfirmWorks { method } => Step::ConfirmWorks {
                method: method.as_deref().map(method_id).transpose()?,
            },
            StepFile::SetDefault { choice } => Step::SetDefault {
                choice: SecondaryMethod::from_graph(&choice),
            },
            StepFile::AddPhone {
                phone_type: t,
                number,
            } => Step::AddPhone {
                phone_type: phone_type(&t)?,
                number: phone_number(&number)?,
            },
            StepFile::UpdatePhone {
                phone_type: t,
                number,
            } => Step::UpdatePhone {
                phone_type: phone_type(&t)?,
                number: phone_number(&number)?,
            },
            StepFile::Remove {
                id,
                replaced_by_new,
                accepted,
                raised,
            } => Step::Remove {
                id: method_id(&id)?,
                replaced_by_new,
                accepted: accepted
                    .iter()
                    .map(|k| concern_kind(k))
                    .collect::<Result<_, _>>()?,
                raised: raised.into_iter().map(Concern::from).collect(),
            },
            StepFile::Verify => Step::Verify,
        })
    }
}

impl TryFrom<RegistrationFile> for Registration {
    type Error = String;

    fn try_from(f: RegistrationFile) -> Result<Registration, String> {
        Ok(match f {
            RegistrationFile::Authenticator => Registration::Authenticator,
            RegistrationFile::AuthenticatorPasskey => Registration::AuthenticatorPasskey,
            RegistrationFile::AuthenticatorApp => Registration::AuthenticatorApp,
            RegistrationFile::SecurityKey => Registration::SecurityKey,
            RegistrationFile::Phone {
                phone_type: t,
                number,
            } => Registration::Phone {
                phone_type: phone_type(&t)?,
                number: phone_number(&number)?,
            },
        })
    }
}

impl From<ConcernFile> for Concern {
    fn from(f: ConcernFile) -> Concern {
        match f {
            ConcernFile::BelowRecommended { after, recommended } => {
                Concern::BelowRecommended { after, recommended }
            }
            ConcernFile::SingleDevice => Concern::SingleDevice,
            ConcernFile::LosesPhishingResistance => Concern::LosesPhishingResistance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::fixtures::adele;
    use crate::journey::Waiting;
    use time::macros::datetime;

    /// The files in `tests/fixtures/journey-files`, written by the code
    /// before steps were typed.
    fn fixture(name: &str) -> (tempfile::TempDir, JourneyStore, String) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/journey-files")
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("journey.json"), &text).unwrap();
        let store = JourneyStore::new(dir.path());
        (dir, store, text)
    }

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn every_journey_file_written_before_typed_steps_loads_and_saves_unchanged() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journey-files");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if !name.ends_with(".json") {
                continue;
            }
            let (dir, store, before) = fixture(&name);
            let journey = store.load().unwrap().unwrap_or_else(|| panic!("{name}"));
            store.save(&journey).unwrap();
            let after = std::fs::read_to_string(dir.path().join("journey.json")).unwrap();
            let mut expected = json(&before);
            // The one field older files lack is written with its default.
            expected
                .as_object_mut()
                .unwrap()
                .entry("removedElsewhere")
                .or_insert(false.into());
            assert_eq!(json(&after), expected, "{name}");
            checked += 1;
        }
        assert!(checked >= 9, "the fixtures were found: {checked}");
    }

    #[test]
    fn a_stored_file_gives_typed_steps() {
        let (_dir, store, _) = fixture("phone-number-moving.json");
        let j = store.load().unwrap().unwrap();
        assert_eq!(j.id(), "00000000-0000-4000-8000-000000000002");
        assert_eq!(j.kind(), JourneyKind::PhoneNumber);
        assert_eq!(j.started(), datetime!(2026-11-22 9:00 UTC));
        assert_eq!(j.current(), 2);
        assert_eq!(
            j.steps()[1],
            Step::AddPhone {
                phone_type: PhoneType::AlternateMobile,
                number: PhoneNumber::parse("+44 7700900555").unwrap()
            }
        );
        assert_eq!(
            j.steps()[2],
            Step::SetDefault {
                choice: SecondaryMethod::VoiceAlternateMobile
            }
        );
        assert!(matches!(
            &j.steps()[3],
            Step::Remove { id, replaced_by_new: false, accepted, raised }
                if id.as_str() == PhoneType::Office.method_id() && accepted.is_empty() && raised.is_empty()
        ));

        let (_dir, store, _) = fixture("phone-number-not-allowed.json");
        let j = store.load().unwrap().unwrap();
        let page = Registration::Phone {
            phone_type: PhoneType::AlternateMobile,
            number: PhoneNumber::parse("+1 4255550123").unwrap(),
        };
        assert!(
            matches!(&j.steps()[1], Step::Register { registration, known_ids, found: None }
            if *registration == page && known_ids.len() == 3)
        );
        assert_eq!(
            j.note(),
            Some(&Note::NotAllowed {
                reason: "Forbidden by the organisation's policy".into()
            })
        );
        assert_eq!(j.waiting(), Waiting::UseSecurityInfoPage(page));

        let (_dir, store, _) = fixture("new-phone-removing.json");
        let j = store.load().unwrap().unwrap();
        assert!(j.old_device_lost());
        assert!(
            matches!(&j.steps()[4], Step::Remove { replaced_by_new: true, accepted, .. }
            if accepted == &[ConcernKind::BelowRecommended, ConcernKind::SingleDevice, ConcernKind::LosesPhishingResistance])
        );
        assert!(
            matches!(&j.steps()[2], Step::ConfirmWorks { method: Some(m) } if m.as_str() == "new-app")
        );

        let (_dir, store, _) = fixture("new-phone-not-working.json");
        assert_eq!(
            store.load().unwrap().unwrap().note(),
            Some(&Note::NotWorking)
        );

        let (_dir, store, _) = fixture("choose-default-before-removed-elsewhere.json");
        assert!(!store.load().unwrap().unwrap().removed_elsewhere());
        let (_dir, store, _) = fixture("remove-method-removed-elsewhere.json");
        let j = store.load().unwrap().unwrap();
        assert!(j.removed_elsewhere() && j.is_finished());
    }

    #[test]
    fn a_stored_value_that_does_not_parse_is_reported_on_load_with_the_file() {
        // (fixture, the value changed (a JSON pointer), its new value, what the error says)
        let cases = [
            (
                "phone-number-update.json",
                "/steps/1/phone_type",
                serde_json::Value::from("pager"),
                "unknown phone type \"pager\"",
            ),
            (
                "phone-number-update.json",
                "/steps/1/number",
                "07700 900999".into(),
                "must start with +",
            ),
            (
                "phone-number-not-allowed.json",
                "/steps/1/registration/number",
                "+44".into(),
                "Put a space after the country code",
            ),
            (
                "remove-method-at-removal.json",
                "/steps/1/id",
                "../users".into(),
                "a method id may contain only",
            ),
            (
                "new-phone-removing.json",
                "/steps/4/accepted/0",
                "tooFew".into(),
                "unknown concern \"tooFew\"",
            ),
            (
                "new-phone-not-working.json",
                "/note",
                "broken".into(),
                "a note is",
            ),
            (
                "choose-default.json",
                "/current",
                serde_json::Value::from(4),
                "step 4 of a journey of 3 steps",
            ),
            (
                "choose-default.json",
                "/steps/1/step",
                "reboot".into(),
                "unknown variant `reboot`",
            ),
        ];
        for (name, pointer, new, expected) in cases {
            let (dir, store, text) = fixture(name);
            let mut value = json(&text);
            *value.pointer_mut(pointer).unwrap() = new;
            std::fs::write(dir.path().join("journey.json"), value.to_string()).unwrap();
            let e = store.load().unwrap_err();
            let message = e.to_string();
            assert!(matches!(e, JourneyError::Storage(_)), "{message}");
            assert!(message.contains("journey.json cannot be read"), "{message}");
            assert!(message.contains(expected), "{expected}: {message}");
            assert!(message.contains("delete it to start over"), "{message}");
        }
    }

    #[test]
    fn raised_concerns_are_kept_in_the_file() {
        let (dir, store, text) = fixture("remove-method-at-removal.json");
        let mut value = json(&text);
        value["steps"][1]["raised"] = serde_json::json!([
            {"kind": "belowRecommended", "after": 1, "recommended": 3},
            {"kind": "singleDevice"}
        ]);
        std::fs::write(dir.path().join("journey.json"), value.to_string()).unwrap();
        let j = store.load().unwrap().unwrap();
        let raised = vec![
            Concern::BelowRecommended {
                after: 1,
                recommended: 3,
            },
            Concern::SingleDevice,
        ];
        assert_eq!(j.waiting(), Waiting::AcceptConcerns(raised));
        store.save(&j).unwrap();
        let saved = std::fs::read_to_string(dir.path().join("journey.json")).unwrap();
        assert_eq!(json(&saved), value);
    }

    #[test]
    fn the_store_saves_atomically_and_clears() {
        let dir = tempfile::tempdir().unwrap();
        let store = JourneyStore::new(dir.path().join("nested"));
        assert_eq!(store.load().unwrap(), None);
        let j = Journey::new_phone(&adele(), false);
        store.save(&j).unwrap();
        assert_eq!(store.load().unwrap(), Some(j.clone()));
        let text = std::fs::read_to_string(dir.path().join("nested/journey.json")).unwrap();
        assert!(!text.contains("token"), "no secrets in the journey file");
        store.clear().unwrap();
        assert_eq!(store.load().unwrap(), None);
        // A damaged journey file is reported with its path, not ignored.
        std::fs::write(dir.path().join("nested/journey.json"), "{").unwrap();
        let e = store.load().unwrap_err();
        assert!(e.to_string().contains("journey.json"), "{e}");
    }

    #[test]
    fn one_lock_at_a_time_per_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let store = JourneyStore::new(dir.path().join("tenant"));
        let held = store.lock().unwrap();
        assert_eq!(store.lock().unwrap_err(), JourneyError::Busy);
        let other = JourneyStore::new(dir.path().join("other-tenant"));
        drop(other.lock().unwrap());
        drop(held);
        store.lock().expect("free again once dropped");
    }
}
