//! The tenant's mutable state and its persistence.
//!
//! [`Store`] is everything the emulator knows, behind one lock. With a state
//! directory, the durable part (the directory of users, methods and
//! preferences; refresh-token grants and revocations; the signing key; the
//! helpdesk's tickets) is
//! written to `tenant-state.json` after every change, atomically: a
//! temporary file is written and synced, then renamed over the old one, so a
//! crash leaves either the old or the new state, never a torn file. Access
//! tokens, codes and sign-in flows stay in memory.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::helpdesk::Inbox;
use crate::identity::grants::{Grants, RefreshGrant};
use crate::tenant::Tenant;
use crate::EmulatorError;

/// The state file's name inside the state directory.
pub const STATE_FILE_NAME: &str = "tenant-state.json";
const FORMAT: u32 = 1;

/// Everything the emulator knows, guarded by one mutex in the server.
#[derive(Debug)]
pub(crate) struct Store {
    pub tenant: Tenant,
    pub grants: Grants,
    /// The emulated helpdesk's tickets.
    pub helpdesk: Inbox,
    /// App-only tokens and mailboxes (not persisted).
    pub mail: crate::mail::Mail,
    /// Account-recovery attempts, oldest first (not persisted).
    pub recoveries: Vec<crate::recovery::RecoveryAttempt>,
}

/// The on-disk document.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PersistedState {
    pub format: u32,
    pub tenant: Tenant,
    pub refresh_grants: Vec<RefreshGrant>,
    /// PKCS#1 PEM of the signing key.
    pub signing_key_pem: String,
    /// The helpdesk inbox; absent in files written before it existed.
    #[serde(default)]
    pub helpdesk: Inbox,
}

#[derive(Serialize)]
struct PersistedStateRef<'a> {
    format: u32,
    tenant: &'a Tenant,
    refresh_grants: Vec<&'a RefreshGrant>,
    signing_key_pem: &'a str,
    helpdesk: &'a Inbox,
}

/// A state directory.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// Opens (creating) the directory and reads the state, if there is one.
    /// A present but unreadable file is an error: the emulator never reseeds
    /// over state it cannot read.
    pub(crate) fn open(dir: &Path) -> Result<(StateFile, Option<PersistedState>), EmulatorError> {
        fs::create_dir_all(dir)
            .map_err(|e| EmulatorError::State(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(STATE_FILE_NAME);
        let file = StateFile { path: path.clone() };
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((file, None)),
            Err(e) => {
                return Err(EmulatorError::State(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        let state: PersistedState = serde_json::from_str(&text).map_err(|e| {
            EmulatorError::State(format!("{} is not a valid state file: {e}", path.display()))
        })?;
        if state.format != FORMAT {
            return Err(EmulatorError::State(format!(
                "{} has format {}, this emulator reads format {FORMAT}",
                path.display(),
                state.format
            )));
        }
        Ok((file, Some(state)))
    }

    /// Writes the durable part of the store, atomically.
    pub(crate) fn save(&self, store: &Store, signing_key_pem: &str) -> std::io::Result<()> {
        let mut grants: Vec<&RefreshGrant> = store.grants.refresh.values().collect();
        grants.sort_by(|a, b| {
            a.issued
                .cmp(&b.issued)
                .then(a.token_hash.cmp(&b.token_hash))
        });
        let document = PersistedStateRef {
            format: FORMAT,
            tenant: &store.tenant,
            refresh_grants: grants,
            signing_key_pem,
            helpdesk: &store.helpdesk,
        };
        let text = serde_json::to_vec_pretty(&document).map_err(std::io::Error::other)?;
        let temp = self.path.with_extension("json.tmp");
        {
            let mut options = fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&temp)?;
            file.write_all(&text)?;
            file.sync_all()?;
        }
        fs::rename(&temp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::grants::Authentication;
    use crate::identity::scopes::ScopeSet;
    use time::OffsetDateTime;

    #[test]
    fn state_round_trips_through_the_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (file, loaded) = StateFile::open(dir.path())?;
        assert!(loaded.is_none());
        let mut store = Store {
            tenant: crate::tenant::seed(),
            grants: Grants::default(),
            helpdesk: Inbox::default(),
            mail: Default::default(),
            recoveries: Vec::new(),
        };
        let user_id = store.tenant.users[0].id;
        let auth = Authentication {
            user_id,
            auth_time: OffsetDateTime::now_utc(),
            amr: vec!["pwd".into()],
            mfa_time: None,
            ends_at: None,
        };
        store.grants.issue_refresh(
            "client",
            &ScopeSet::default(),
            &auth,
            OffsetDateTime::now_utc(),
        );
        file.save(&store, "PEM")?;
        let (_, loaded) = StateFile::open(dir.path())?;
        let loaded = loaded.ok_or("state missing")?;
        assert_eq!(loaded.signing_key_pem, "PEM");
        assert_eq!(loaded.refresh_grants.len(), 1);
        assert_eq!(loaded.tenant.users.len(), store.tenant.users.len());
        assert!(!dir.path().join("tenant-state.json.tmp").exists());
        Ok(())
    }

    #[test]
    fn a_corrupt_state_file_is_an_error_not_a_reseed() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        fs::write(dir.path().join(STATE_FILE_NAME), "{not json")?;
        assert!(matches!(
            StateFile::open(dir.path()),
            Err(EmulatorError::State(_))
        ));
        Ok(())
    }
}
