//! Files and folders only their owner can read: the journeys, the activity
//! log, the outbox of reset requests and the exports carry names, phone
//! numbers and device-key proofs.
//!
//! Invariant: on Unix every file this crate writes is created 0600 and every
//! folder it creates 0700 (and an app-data folder it writes into is narrowed
//! to 0700 if an older release left it wider). On Windows and elsewhere the
//! folders sit in the user's profile, whose ACLs already keep other users out;
//! these functions then just create.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// `OpenOptions` that create a file readable and writable by its owner only.
pub fn options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates (or truncates) a file for its owner only. An existing file keeps
/// its mode on open, so it is narrowed to 0600 too.
pub fn create(path: &Path) -> io::Result<File> {
    let file = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    narrow(&file, 0o600)?;
    Ok(file)
}

/// Opens a file for appending, creating it for its owner only; an existing
/// file is narrowed to 0600.
pub fn append(path: &Path) -> io::Result<File> {
    let file = options().append(true).create(true).open(path)?;
    narrow(&file, 0o600)?;
    Ok(file)
}

/// Creates an app-data folder and its missing parents 0700, and narrows the
/// folder itself to 0700 if it already existed wider. Not for folders the
/// user chose (see [`create_dir_all_keeping`]).
pub fn create_app_dir(dir: &Path) -> io::Result<()> {
    create_dir_all_keeping(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates the missing folders of `dir` 0700 and leaves existing ones as they
/// are (a folder the user chose, such as Downloads, keeps its mode).
pub fn create_dir_all_keeping(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(unix)]
fn narrow(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn narrow(_: &File, _: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_the_owners_only_and_older_wider_ones_are_narrowed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_app_dir(&dir).unwrap();
        assert_eq!((mode(&root.path().join("a")), mode(&dir)), (0o700, 0o700));
        let file = dir.join("f");
        create(&file).unwrap();
        assert_eq!(mode(&file), 0o600);

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_app_dir(&dir).unwrap();
        append(&file).unwrap();
        assert_eq!((mode(&dir), mode(&file)), (0o700, 0o600));

        let chosen = root.path().join("chosen");
        std::fs::create_dir(&chosen).unwrap();
        std::fs::set_permissions(&chosen, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_dir_all_keeping(&chosen).unwrap();
        assert_eq!(
            mode(&chosen),
            0o755,
            "a folder the user chose keeps its mode"
        );
    }
}
