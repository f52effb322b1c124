//! Where the pipeline keeps report files (the data itself is in the WHMCS database), and why
//! the folder must be the module's own.

use crate::infra::config_yaml::Config;
use crate::infra::error::Error;
use std::path::{Path, PathBuf};

/// Where the pipeline keeps report files (the data itself is in the WHMCS database).
#[derive(Debug, Clone)]
pub struct UsagePaths {
    /// `<downloads storage>/<usage_report.download_path>`.
    pub reports_dir: PathBuf,
}

impl UsagePaths {
    /// Reports under `<storage_dir>/<usage_report.download_path>` (an absolute
    /// `download_path` is used as it is).
    /// The folder must be a sub-folder of its own: `""`, `.`, `/` or a `..` step is refused,
    /// because the report housekeeping deletes files there.
    pub fn resolve(
        config: &Config,
        storage_dir: Option<&Path>,
    ) -> std::result::Result<UsagePaths, Error> {
        let download = checked_download_path(&config.usage_report.download_path)?;
        let reports_dir = if download.is_absolute() {
            download
        } else {
            let Some(storage) = storage_dir.filter(|p| !p.as_os_str().is_empty()) else {
                return Err(Error::config(
                    "The WHMCS downloads storage has no local path (Setup > Storage Settings), so \
                     usage reports have nowhere to go. Configure it, or set \
                     usage_report.download_path in config.yaml to an absolute directory.",
                ));
            };
            storage.join(download)
        };
        Ok(UsagePaths { reports_dir })
    }
}

/// `usage_report.download_path` as a path of a module-owned folder: relative paths need at
/// least one plain folder name, absolute ones at least two (never `/` or `/var`), and no path
/// may contain `.` or `..` steps. The housekeeping only deletes report files it wrote, but a
/// folder shared with other data is refused outright so a typo is noticed.
fn checked_download_path(raw: &str) -> std::result::Result<PathBuf, Error> {
    use std::path::Component;
    let path = PathBuf::from(raw.trim());
    // `Path::components` silently drops interior `.` steps: check the text too.
    let dotted = raw.trim().split(['/', '\\']).any(|s| s == "." || s == "..");
    let mut names = if dotted { -100 } else { 0 };
    for c in path.components() {
        match c {
            Component::Normal(_) => names += 1,
            Component::RootDir => {}
            Component::CurDir | Component::ParentDir | Component::Prefix(_) => names = -100,
        }
    }
    let needed = if path.is_absolute() { 2 } else { 1 };
    if names < needed {
        return Err(Error::config(format!(
            "usage_report.download_path \"{}\" must name a folder of the module's own (for example \
             acronis/reports below the WHMCS downloads storage), without \".\" or \"..\" steps.",
            raw.trim()
        )));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Security finding 3: a download path that would cover the whole storage is refused.
    #[test]
    fn download_path_must_be_a_module_folder() {
        let storage = Path::new("/srv/whmcs/storage");
        for bad in [
            "",
            " ",
            ".",
            "./",
            "/",
            "/var",
            "..",
            "../x",
            "acronis/../..",
            "a/./b",
            "/srv/../etc",
        ] {
            let mut cfg = Config::default();
            cfg.usage_report.download_path = bad.into();
            let err = UsagePaths::resolve(&cfg, Some(storage)).err();
            assert!(
                matches!(err, Some(Error::Config(ref m)) if m.contains("download_path")),
                "{bad:?}: {err:?}"
            );
        }
        for (good, dir) in [
            ("acronis/reports", "/srv/whmcs/storage/acronis/reports"),
            ("reports", "/srv/whmcs/storage/reports"),
            ("/var/lib/acronis-reports", "/var/lib/acronis-reports"),
        ] {
            let mut cfg = Config::default();
            cfg.usage_report.download_path = good.into();
            let p = UsagePaths::resolve(&cfg, Some(storage)).unwrap();
            assert_eq!(p.reports_dir, Path::new(dir));
        }
    }
}
