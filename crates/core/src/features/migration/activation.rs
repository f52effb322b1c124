//! What the addon's `_activate` and `_upgrade` do to storage, in order: refuse a database user
//! without the rights the module needs, create or bring the module's tables to this version
//! (a 2.x installation's tables are upgraded in place) and import an earlier version's SQLite
//! files once. The binding only finds the database adapter and the files' paths.

use super::sqlite_import::{import_sqlite_files, Imported};
use crate::infra::error::Result;
use crate::infra::storage::{privileges, schema, Db};
use std::path::Path;

/// Prepares storage for this version. `previous_version`: the version WHMCS had installed
/// (`None` on a first activation). `templates_file`/`usage_file`: an earlier version's SQLite
/// files (missing files are not an error).
pub fn prepare_storage(
    db: &dyn Db,
    previous_version: Option<&str>,
    templates_file: &Path,
    usage_file: &Path,
) -> Result<Imported> {
    let (user, lacking) = privileges::missing(db)?;
    if !lacking.is_empty() {
        return Err(privileges::missing_rights_error(&user, &lacking));
    }
    schema::ensure(db)?;
    if let Some(v) = previous_version {
        schema::upgrade_from_2x(db, v)?;
    }
    import_sqlite_files(db, templates_file, usage_file)
}
