//! The "Add configurable options" wizard (docs/behaviour.md §D.4): which WHMCS configurable
//! options a product for customers of one edition gets, named `item:unit:infra|Friendly`, in the
//! order the admin expects. The WHMCS side writes the rows; this module only plans them.

use crate::platform::catalog::{catalog, Catalog};
use crate::platform::root_facts::{Infra, Location, OfferingItem};
use crate::Result;
use serde_json::{Map, Value};

/// One configurable option to create (or update) in the group.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedOption {
    /// `item:unit:|Friendly`; the infra slot is left empty for the admin.
    pub option_name: String,
    /// WHMCS option type: 3 = Yes/No (features), 4 = Quantity.
    pub option_type: u8,
    /// The single sub-option's name (unit label, e.g. "Gb").
    pub sub_option: String,
    /// Offering item name: the key used to find an existing option on re-runs.
    pub item: String,
}

/// Request of `create_options`, validated: 422 "Invalid configurable option data." on errors.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionsRequest {
    pub name: String,
    pub description: String,
    pub server_id: i64,
    pub edition: String,
}

/// Field errors in the Laravel shape the admin UI shows next to each field.
pub type FieldErrors = Map<String, Value>;

fn push(errors: &mut FieldErrors, field: &str, msg: &str) {
    let entry = errors
        .entry(field.to_string())
        .or_insert_with(|| Value::Array(vec![]));
    if let Value::Array(a) = entry {
        a.push(Value::String(msg.to_string()));
    }
}

/// Checks the request body; `editions` are the platform's edition names (`GET /editions`).
pub fn validate_request(
    body: &Value,
    editions: &[String],
) -> std::result::Result<OptionsRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let server_id = server_id_field(body, &mut errors);
    let name = name_field(body, &mut errors);
    let description = description_field(body, &mut errors);
    let edition = edition_field(body, editions, &mut errors);
    if errors.is_empty() {
        Ok(OptionsRequest {
            name,
            description,
            server_id: server_id.unwrap_or(0),
            edition,
        })
    } else {
        Err(errors)
    }
}

/// Laravel's `max:1024` rule on a text field: `msg` when the text is longer.
fn push_if_longer(errors: &mut FieldErrors, field: &str, text: &str, msg: &str) {
    if text.chars().count() > 1024 {
        push(errors, field, msg);
    }
}

/// `server_id`: a positive integer, sent as a number or a string.
fn server_id_field(body: &Value, errors: &mut FieldErrors) -> Option<i64> {
    let server_id = match body.get("server_id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match server_id {
        None if body.get("server_id").is_none_or(Value::is_null) => {
            push(errors, "server_id", "The server id field is required.")
        }
        None => push(errors, "server_id", "The server id must be an integer."),
        Some(i) if i < 1 => push(errors, "server_id", "The server id must be at least 1."),
        _ => {}
    }
    server_id
}

/// `name`: a required string of at most 1024 characters (trimmed).
fn name_field(body: &Value, errors: &mut FieldErrors) -> String {
    let name = match body.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            push(errors, "name", "The name field is required.");
            String::new()
        }
        Some(_) => {
            push(errors, "name", "The name must be a string.");
            String::new()
        }
    };
    push_if_longer(
        errors,
        "name",
        &name,
        "The name may not be greater than 1024 characters.",
    );
    name
}

/// `description`: an optional string of at most 1024 characters (kept as sent).
fn description_field(body: &Value, errors: &mut FieldErrors) -> String {
    let description = match body.get("description") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => {
            push(errors, "description", "The description must be a string.");
            String::new()
        }
    };
    push_if_longer(
        errors,
        "description",
        &description,
        "The description may not be greater than 1024 characters.",
    );
    description
}

/// `edition`: required, one of the platform's editions.
fn edition_field(body: &Value, editions: &[String], errors: &mut FieldErrors) -> String {
    let edition = body
        .get("edition")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if edition.is_empty() {
        push(errors, "edition", "The edition field is required.");
    } else if !editions.iter().any(|e| e == &edition) {
        push(errors, "edition", "The selected edition is invalid.");
    }
    edition
}

/// Plans the options from the root tenant's items: enabled, available to customers, of no
/// edition or the requested one; sorted by application, edition, location, infra and catalog
/// order; one option per item name (infra dropped); items without catalog meta skipped.
pub fn plan(
    edition: &str,
    root_items: &[OfferingItem],
    for_customer: &[OfferingItem],
    infras: &[Infra],
    locations: &[Location],
) -> Result<Vec<PlannedOption>> {
    let cat = catalog()?;
    let ranks = Ranks::new(infras, locations);
    let mut candidates: Vec<(SortKey, &OfferingItem)> = root_items
        .iter()
        .filter(|i| i.enabled())
        .filter(|i| {
            for_customer
                .iter()
                .any(|a| a.name == i.name && a.infra_id == i.infra_id)
        })
        .filter(|i| i.edition.as_deref().is_none_or(|e| e == edition))
        .filter_map(|i| Some((sort_key(cat, &ranks, i)?, i)))
        .collect();
    candidates.sort_by_key(|(k, _)| *k);
    let mut out: Vec<PlannedOption> = Vec::new();
    for (_, item) in candidates {
        if out.iter().any(|o| o.item == item.name) {
            continue;
        }
        if let Some(meta) = cat.offering_item(&item.name) {
            out.push(planned_option(item, meta));
        }
    }
    Ok(out)
}

/// Locations and infras ranked by name: a missing id ranks first, an unknown one last.
struct Ranks<'a> {
    infras: &'a [Infra],
    loc_ids: Vec<&'a str>,
    inf_ids: Vec<&'a str>,
}

impl<'a> Ranks<'a> {
    fn new(infras: &'a [Infra], locations: &'a [Location]) -> Self {
        let mut locs: Vec<&Location> = locations.iter().collect();
        locs.sort_by(|a, b| a.name.cmp(&b.name));
        let mut infs: Vec<&Infra> = infras.iter().collect();
        infs.sort_by(|a, b| a.name.cmp(&b.name));
        Ranks {
            infras,
            loc_ids: locs.iter().map(|l| l.id.as_str()).collect(),
            inf_ids: infs.iter().map(|i| i.id.as_str()).collect(),
        }
    }

    fn rank_of(id: Option<&str>, ids: &[&str]) -> usize {
        match id {
            None => 0,
            Some(id) => ids
                .iter()
                .position(|x| *x == id)
                .map_or(usize::MAX, |p| p + 1),
        }
    }

    /// Location rank, then infra rank of an item's infra.
    fn of(&self, infra: Option<&str>) -> (usize, usize) {
        let location = infra
            .and_then(|id| self.infras.iter().find(|x| x.id == id))
            .and_then(|x| x.location_id.as_deref());
        (
            Self::rank_of(location, &self.loc_ids),
            Self::rank_of(infra, &self.inf_ids),
        )
    }
}

/// The sort key of an item; `None` for an item without catalog meta.
fn sort_key(cat: &Catalog, ranks: &Ranks, i: &OfferingItem) -> Option<SortKey> {
    let meta = cat.offering_item(&i.name)?;
    let app = cat
        .application(&meta.application)
        .map_or(u32::MAX, |a| a.sort_priority);
    let ed = i
        .edition
        .as_deref()
        .and_then(|e| cat.edition(e))
        .map_or(0, |e| e.sort_priority);
    let (location, infra) = ranks.of(i.infra_id.as_deref());
    Some((app, ed, location, infra, meta.sort_priority))
}

fn planned_option(
    item: &OfferingItem,
    meta: &crate::platform::catalog::OfferingItem,
) -> PlannedOption {
    let opt = &meta.configurable_option;
    PlannedOption {
        option_name: format!(
            "{}:{}:|{}",
            item.name, opt.measurement_unit, opt.friendly_name
        ),
        option_type: if opt.measurement_unit == "feature" {
            3
        } else {
            4
        },
        sub_option: opt.measurement_unit_name.clone(),
        item: item.name.clone(),
    }
}

/// Application, edition, location, infra and catalog rank of an offering item.
type SortKey = (u32, u32, usize, usize, u32);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(name: &str, edition: Option<&str>, infra: Option<&str>) -> OfferingItem {
        OfferingItem {
            application_id: "app".into(),
            name: name.into(),
            edition: edition.map(str::to_string),
            status: 1,
            kind: String::new(),
            infra_id: infra.map(str::to_string),
            measurement_unit: String::new(),
            quota: None,
        }
    }

    fn infra(id: &str, name: &str, loc: &str) -> Infra {
        Infra {
            id: id.into(),
            name: name.into(),
            location_id: Some(loc.into()),
            capabilities: vec!["backup".into()],
            platform_owned: true,
            backend_type: None,
        }
    }

    #[test]
    fn l55_options_in_order_once_per_item() {
        let items = vec![
            item("pg_storage", Some("per_gigabyte"), Some("ib")),
            item("pw_storage", Some("per_workload"), Some("ib2")),
            item("pw_storage", Some("per_workload"), Some("ib")),
            item("pw_o365_mailboxes", Some("per_workload"), None),
            item("pw_o365_seats", Some("per_workload"), None),
            item("pw_workstations", Some("per_workload"), None),
            item("local_storage", None, None),
        ];
        let infras = vec![infra("ib", "IB", "l1"), infra("ib2", "IB2", "l1")];
        let locations = vec![Location {
            id: "l1".into(),
            name: "Loc".into(),
        }];
        let plan = plan("per_workload", &items, &items, &infras, &locations).unwrap();
        let names: Vec<&str> = plan.iter().map(|p| p.option_name.as_str()).collect();
        assert_eq!(names.len(), 5, "{names:?}");
        assert!(names.iter().all(|n| !n.starts_with("pg_")));
        assert_eq!(plan.iter().filter(|p| p.item == "pw_storage").count(), 1);
        let mailboxes = plan.iter().find(|p| p.item == "pw_o365_mailboxes").unwrap();
        assert_eq!(mailboxes.option_type, 3);
        assert!(mailboxes
            .option_name
            .starts_with("pw_o365_mailboxes:feature:|"));
        let storage = plan.iter().find(|p| p.item == "pw_storage").unwrap();
        assert_eq!(storage.option_type, 4);
        assert!(
            storage.option_name.starts_with("pw_storage:gigabytes:|"),
            "{}",
            storage.option_name
        );
        let ws = plan
            .iter()
            .position(|p| p.item == "pw_workstations")
            .unwrap();
        let seats = plan.iter().position(|p| p.item == "pw_o365_seats").unwrap();
        assert!(ws < seats, "catalog order within an edition");
    }

    #[test]
    fn items_not_for_customers_are_skipped() {
        let items = vec![item("pw_workstations", Some("per_workload"), None)];
        assert!(plan("per_workload", &items, &[], &[], &[])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn l56_request_validation() {
        let editions = vec!["per_workload".to_string()];
        let ok = validate_request(
            &json!({"name": "PW extras", "server_id": 1, "edition": "per_workload"}),
            &editions,
        )
        .unwrap();
        assert_eq!(ok.server_id, 1);
        let e = validate_request(
            &json!({"name": "", "server_id": "x", "edition": "super"}),
            &editions,
        )
        .unwrap_err();
        assert_eq!(e["edition"][0], "The selected edition is invalid.");
        assert_eq!(e["name"][0], "The name field is required.");
        assert_eq!(e["server_id"][0], "The server id must be an integer.");
    }
}
