//! WebKitGTK settings decided before GTK starts.
//!
//! `WEBKIT_DISABLE_DMABUF_RENDERER=1` is set when the user has not set the
//! variable and the machine has no GPU render node (`/dev/dri/renderD*`):
//! virtual machines, containers, remote X, Xvfb. There WebKit's DMA-BUF
//! renderer can only render through Mesa's software rasteriser, and the
//! benchmark (`docs/benchmarks/report.md`) measured it 65-100 MB larger in
//! PSS (mostly the web process) and no faster to first IPC than the older
//! renderer, for this app and for a hello-world Tauri window alike. With a render node WebKit's default
//! (hardware-accelerated DMA-BUF) is kept: nothing was measured there that
//! would justify overriding it. An explicit setting, including `0`, wins.
//!
//! `JSC_useJIT=0` runs the page's JavaScript in JavaScriptCore's interpreter,
//! without the JIT compilers, unless the user has set the variable. The web
//! process inherits it. The page is the app's own bundled UI (the CSP and the
//! navigation guard keep anything else out). It runs a few event handlers, so a
//! JIT makes it no faster. The JIT is where a JavaScript engine's most
//! exploited bugs live (Apple's Lockdown Mode turns it off for that reason).
//! It also cost this page about 4 MB of PSS, and 1-2 MB of run-to-run spread,
//! depending on when functions tiered up (see README "Performance").

use std::path::Path;

pub const DMABUF_ENV: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// JavaScriptCore's switch for its JIT compilers.
pub const JSC_JIT_ENV: &str = "JSC_useJIT";

/// Applies the settings to this process's environment. Call first thing in
/// `run()`, before any thread or GTK starts.
pub fn apply() {
    #[cfg(target_os = "linux")]
    {
        if should_disable_dmabuf(
            std::env::var_os(DMABUF_ENV).is_some(),
            Path::new("/dev/dri"),
        ) {
            std::env::set_var(DMABUF_ENV, "1");
        }
        if std::env::var_os(JSC_JIT_ENV).is_none() {
            std::env::set_var(JSC_JIT_ENV, "0");
        }
    }
}

/// Whether to turn the DMA-BUF renderer off: only when the user left the
/// variable unset and `dri` holds no `renderD*` node.
pub fn should_disable_dmabuf(user_set: bool, dri: &Path) -> bool {
    !user_set && !has_render_node(dri)
}

fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_only_without_a_render_node_and_without_a_user_setting() {
        let dir = std::env::temp_dir().join(format!("webkit-env-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // No /dev/dri at all, or one with only a card node: software only.
        assert!(should_disable_dmabuf(false, &dir.join("missing")));
        std::fs::write(dir.join("card0"), "").unwrap();
        assert!(should_disable_dmabuf(false, &dir));
        // The user's own setting always wins.
        assert!(!should_disable_dmabuf(true, &dir));
        // A GPU render node: keep WebKit's default.
        std::fs::write(dir.join("renderD128"), "").unwrap();
        assert!(!should_disable_dmabuf(false, &dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
