//! The manual's and spec's tables for the v1 migration, as pure-function tests.
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom; production code stays ≤ 60 lines

use super::options::{rename, V1Option};
use super::product::{self, Facts, StorageSetting, V1Product};
use super::version;
use crate::features::templates::{Status, TenantKind, UserRole};
use crate::infra::i18n::Translator;
use crate::platform::catalog::catalog;

fn v1_product(settings: &[(u8, &str)]) -> V1Product {
    let mut p = V1Product {
        id: 9,
        name: "Backup 100".into(),
        description: "v1 product".into(),
        settings: vec![],
    };
    for (n, v) in settings {
        p.set(*n, v);
    }
    p
}

const IB: &str = "41b82da4-683c-477d-af50-0089c47568cb";
const PB: &str = "7fd23150-934f-4620-8175-b19502fd7fbf";

fn facts(available: &[(&str, Option<&str>)]) -> Facts {
    Facts {
        server_id: 1,
        root_name: "Reseller".into(),
        available: available
            .iter()
            .map(|(n, i)| (n.to_string(), i.map(str::to_string)))
            .collect(),
        backup_infras: vec![
            (IB.into(), "dc1 Acronis Storage".into()),
            (PB.into(), "dc1 Partner Storage".into()),
        ],
    }
}

#[test]
fn l81_version_gate() {
    let old = "[version]\nmajor_version=1\nminor_version=0\nbuild_number=34\n";
    assert_eq!(
        version::check(Some(old), "/w/includes/Acronis/Vers.ion", "2.2.2-200").unwrap_err().to_string(),
        "Direct upgrade from the current version 1.0.0-34 to the new version 2.2.2-200 is not supported. Please upgrade the module to the version 1.0.0-177 first."
    );
    let ok = "major_version = \"1\"\nminor_version = '0'\nbuild_number = 177";
    assert_eq!(
        version::check(Some(ok), "f", "x").unwrap().to_string(),
        "1.0.0-177"
    );
    let newer = "major_version=1\nminor_version=1\nbuild_number=2";
    assert!(version::check(Some(newer), "f", "x").is_ok());
    let missing = version::check(None, "/w/includes/Acronis/Vers.ion", "x").unwrap_err();
    assert!(missing
        .to_string()
        .starts_with("Cannot read the version file \"/w/includes/Acronis/Vers.ion\""));
    let garbage = version::check(Some("major_version=one"), "f", "x").unwrap_err();
    assert!(
        garbage
            .to_string()
            .contains("\"major_version\" is missing or not a number"),
        "{garbage}"
    );
}

#[test]
fn storage_setting_parses_server_and_infra() {
    let p = v1_product(&[(4, "[Acronis EU2] Acronis storage (eu2-cloud.acronis.com)")]);
    assert_eq!(
        product::parse_storage(&p).unwrap(),
        StorageSetting {
            server_name: "Acronis EU2".into(),
            infra_name: "Acronis storage".into()
        }
    );
    let no_host = v1_product(&[(4, "[S] Storage (A) B")]);
    assert_eq!(
        product::parse_storage(&no_host).unwrap().infra_name,
        "Storage (A) B"
    );
    for bad in ["Acronis storage", "[] x (h)", "[S x (h)"] {
        let e = product::parse_storage(&v1_product(&[(4, bad)]))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "Invalid infrastructure component name. Please update module setting \"Storage\" in product Backup 100.", "{bad}");
    }
    let e = product::parse_storage(&v1_product(&[(4, "[S]  (host)")]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "Invalid data center name. Please update module setting \"Storage\" in product Backup 100."
    );
}

#[test]
fn account_type_and_admin_permission() {
    assert_eq!(
        product::tenant_kind(&v1_product(&[(8, "Customer")])).unwrap(),
        TenantKind::Customer
    );
    assert_eq!(
        product::tenant_kind(&v1_product(&[(8, "partner")])).unwrap(),
        TenantKind::Partner
    );
    assert_eq!(
        product::tenant_kind(&v1_product(&[(8, "Reseller")])).unwrap_err().to_string(),
        "Unsupported account type \"Reseller\" is specified for module setting \"Account type\". Please update the setting in product Backup 100."
    );
    let mut w = vec![];
    assert_eq!(
        product::user_role(
            &v1_product(&[(10, "disabled")]),
            TenantKind::Partner,
            &mut w
        ),
        UserRole::Admin
    );
    assert_eq!(
        product::user_role(
            &v1_product(&[(10, "enabled")]),
            TenantKind::Customer,
            &mut w
        ),
        UserRole::Admin
    );
    assert_eq!(
        product::user_role(
            &v1_product(&[(10, "disabled")]),
            TenantKind::Customer,
            &mut w
        ),
        UserRole::User
    );
    assert!(w.is_empty());
    assert_eq!(
        product::user_role(&v1_product(&[(10, "maybe")]), TenantKind::Customer, &mut w),
        UserRole::User
    );
    assert_eq!(w, vec!["Invalid value \"maybe\" is specified for module setting \"Administrator permission\". Administrator privileges will be disabled for product Backup 100."]);
}

#[test]
fn quota_texts() {
    let mut w = vec![];
    assert_eq!(product::quota("", "S", "P", &mut w), None);
    assert_eq!(product::quota("Unlimited", "S", "P", &mut w), Some(None));
    assert_eq!(product::quota("10", "S", "P", &mut w), Some(Some(10)));
    assert_eq!(product::quota("-1", "S", "P", &mut w), Some(None));
    assert!(w.is_empty());
    assert_eq!(
        product::quota("12abc", "Workstations", "P", &mut w),
        Some(Some(12))
    );
    assert_eq!(
        product::quota("1.5", "Workstations", "P", &mut w),
        Some(Some(1))
    );
    assert_eq!(
        product::quota("many", "Workstations", "P", &mut w),
        Some(Some(0))
    );
    assert_eq!(w[0], "Value \"12abc\" of module setting \"Workstations\" was converted to 12. Please define the value in template for product P.");
    assert_eq!(w.len(), 3);
    assert_eq!(product::unit_bytes("GB"), Some(1 << 30));
    assert_eq!(product::unit_bytes("tb"), Some(1 << 40));
    assert_eq!(product::unit_bytes("mb"), Some(1 << 20));
    assert_eq!(product::unit_bytes("pb"), None);
}

fn l83_product() -> V1Product {
    v1_product(&[
        (1, "10"),
        (2, "100"),
        (3, ""),
        (
            4,
            "[Acronis EU2] dc1 Acronis Storage (eu2-cloud.acronis.com)",
        ),
        (8, "customer"),
        (10, "enabled"),
        (11, "Send an email message"),
        (12, "gb"),
    ])
}

#[test]
fn l83_customer_template() {
    let p = l83_product();
    let storage = product::parse_storage(&p).unwrap();
    let f = facts(&[
        ("workstations", None),
        ("storage", Some(IB)),
        ("storage", Some(PB)),
    ]);
    let mut w = vec![];
    let t = product::template(
        catalog().unwrap(),
        &p,
        &storage,
        TenantKind::Customer,
        &f,
        &mut w,
    )
    .unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        (t.name.as_str(), t.server_id, t.tenant_kind, t.user_role),
        ("Backup 100", 1, TenantKind::Customer, UserRole::Admin)
    );
    let app = &t.applications[0];
    assert_eq!((app.kind.as_str(), app.status), ("backup", Status::Active));
    assert_eq!(app.editions.len(), 1);
    assert_eq!(
        (app.editions[0].name.as_str(), app.editions[0].status),
        ("standard", Status::Active)
    );
    let items: Vec<_> = app
        .offering_items
        .iter()
        .map(|i| {
            (
                i.name.as_str(),
                i.infra_id.as_deref(),
                i.measurement_unit.as_str(),
                i.quota_value,
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![
            ("workstations", None, "quantity", Some(10)),
            ("storage", Some(IB), "bytes", Some(107_374_182_400))
        ]
    );
    assert_eq!(product::activation_warning(&p), None);
}

#[test]
fn child_storages_and_each_mailbox_companion_checked_on_its_own() {
    let mut p = l83_product();
    p.set(9, "unlimited");
    p.set(12, "pb");
    p.set(13, "3");
    let storage = product::parse_storage(&p).unwrap();
    // o365_onedrive is not available although o365_mailboxes is (J.2 #23).
    let f = facts(&[
        ("workstations", None),
        ("storage", Some(IB)),
        ("child_storages", None),
        ("mailboxes", None),
        ("o365_mailboxes", None),
        ("o365_sharepoint_sites", None),
    ]);
    let mut w = vec![];
    let t = product::template(
        catalog().unwrap(),
        &p,
        &storage,
        TenantKind::Customer,
        &f,
        &mut w,
    )
    .unwrap();
    let names: Vec<_> = t.applications[0]
        .offering_items
        .iter()
        .map(|i| (i.name.as_str(), i.quota_value))
        .collect();
    assert_eq!(
        names,
        vec![
            ("workstations", Some(10)),
            ("storage", Some(107_374_182_400)),
            ("child_storages", None),
            ("mailboxes", None),
            ("o365_mailboxes", None),
            ("o365_sharepoint_sites", None),
        ]
    );
    assert_eq!(
        w,
        vec![
            "The unsupported unit of measure \"pb\" was specified for the module setting \"Measure storage in\" in the product \"Backup 100\". It was changed to GB during the upgrade.",
            "Offering item \"Websites\" (websites) is not enabled for your root tenant \"Reseller\". This offering item will be disabled in the new template related product Backup 100.",
        ]
    );
}

#[test]
fn partner_storage_on_every_backup_infra_and_unknown_customer_infra() {
    let mut p = l83_product();
    p.set(8, "Partner");
    p.set(11, "Send activation link");
    let storage = product::parse_storage(&p).unwrap();
    let f = facts(&[
        ("workstations", None),
        ("storage", Some(IB)),
        ("storage", Some(PB)),
    ]);
    let mut w = vec![];
    let t = product::template(
        catalog().unwrap(),
        &p,
        &storage,
        TenantKind::Partner,
        &f,
        &mut w,
    )
    .unwrap();
    let infras: Vec<_> = t.applications[0]
        .offering_items
        .iter()
        .filter_map(|i| i.infra_id.as_deref())
        .collect();
    assert_eq!(infras, vec![IB, PB]);
    assert_eq!(t.user_role, UserRole::Admin);
    assert_eq!(
        product::activation_warning(&p).unwrap(),
        "Activation method \"Send activation link\" will be replaced with \"Send an email message\" for product Backup 100."
    );

    let mut p = l83_product();
    p.set(4, "[Acronis EU2] Gone storage (h)");
    let storage = product::parse_storage(&p).unwrap();
    let e = product::template(
        catalog().unwrap(),
        &p,
        &storage,
        TenantKind::Customer,
        &f,
        &mut w,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Cannot find an infrastructure component with the name \"Gone storage\" in Acronis Cyber Cloud. Please open the product \"Backup 100\" and update the module setting \"Storage\"."
    );
}

#[test]
fn v1_option_names_are_renamed() {
    let c = catalog().unwrap();
    let opt = |name: &str, sub: &str| V1Option {
        id: 5,
        name: name.into(),
        group: "Backup options".into(),
        first_sub: sub.into(),
    };
    let mut w = vec![];
    assert_eq!(
        rename(
            c,
            &opt("Workstations", "1"),
            TenantKind::Customer,
            "P",
            &mut w
        )
        .unwrap()
        .optionname,
        "workstations:quantity:|Workstations"
    );
    assert_eq!(
        rename(
            c,
            &opt("Cloud Storage", "TB"),
            TenantKind::Customer,
            "P",
            &mut w
        )
        .unwrap()
        .optionname,
        "storage:terabytes:|Cloud Storage"
    );
    assert!(w.is_empty());
    assert!(
        rename(
            c,
            &opt("workstations", "1"),
            TenantKind::Customer,
            "P",
            &mut w
        )
        .is_none(),
        "exact names only"
    );
    assert_eq!(
        rename(
            c,
            &opt("Local Storage", "Gigs"),
            TenantKind::Customer,
            "P",
            &mut w
        )
        .unwrap()
        .optionname,
        "local_storage:gigabytes:|Local Storage"
    );
    assert_eq!(w, vec!["The unsupported unit of measure \"Gigs\" was specified for the configurable option \"Local Storage\" in the group \"Backup options\". It was changed to GB during the upgrade."]);
    w.clear();
    rename(
        c,
        &opt("Cloud Storage", "gb"),
        TenantKind::Partner,
        "P",
        &mut w,
    )
    .unwrap();
    assert_eq!(w, vec!["Configurable option \"Cloud Storage\" from group Backup options cannot be used for product P without infrastructure component ID specified. Please update or remove the configurable option."]);
}

#[test]
fn result_messages() {
    let t = Translator::english();
    assert_eq!(super::summary(&[], &t), "Module was successfully upgraded.");
    assert_eq!(
        super::summary(&["a".into(), "b".into()], &t),
        "Module was successfully upgraded with warnings. Warnings: [1] a  [2] b"
    );
}
