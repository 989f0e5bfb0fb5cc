//! The About box: which version and commit this app was built from (see hush-build-info).

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AboutDto {
    pub version: String,
    /// Short commit hash, or "unknown" for a build outside git.
    pub commit: String,
}

#[tauri::command]
pub fn about() -> AboutDto {
    AboutDto {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: env!("HUSH_GIT_COMMIT").to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_package_version_and_a_commit() {
        let a = super::about();
        assert_eq!(a.version, env!("CARGO_PKG_VERSION"));
        assert!(a.commit == "unknown" || a.commit.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
