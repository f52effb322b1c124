//! The switch of the legacy-editions page (manual 6.6.3, `docs/offering-items.md`): each
//! chosen service moves to the product the plan named and runs ChangePackage there. The order
//! of the WHMCS effects and the rollback are the module's rules and live here; the effects
//! themselves (reading the service's product and fields, moving it, ChangePackage, the
//! activity log) are the glue's, through [`SwitchHost`].
//!
//! Every service is switched on its own: a failure — WHMCS refusing the move, ChangePackage
//! failing, an error or a panic on our side — puts that service back on its product with its
//! Cloud ids and is reported, and the next service is switched all the same.

use crate::features::provisioning::change_rollback::{carried, RollbackHost};
use crate::infra::error::{isolated, Result};
use crate::infra::masking::mask_text;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The WHMCS effects of a switch, on top of the rollback's (moving a service, writing fields).
pub trait SwitchHost: RollbackHost {
    /// The product the service is on now.
    fn product_of(&mut self, service_id: i64) -> Result<i64>;
    /// The module's custom field values of the service under product `pid`.
    fn module_fields(&mut self, service_id: i64, pid: i64) -> Result<Map<String, Value>>;
    /// Makes product `pid` ready for the service (its configurable options and custom
    /// fields, as before an upgrade to it).
    fn prepare_product(&mut self, pid: i64) -> Result<()>;
    /// WHMCS `ModuleChangePackage` of the service (its answer's message on failure).
    fn change_package(&mut self, service_id: i64) -> Result<()>;
    /// One line in the WHMCS activity log.
    fn activity(&mut self, text: &str);
}

/// One product move the admin action decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct Move {
    pub service_id: i64,
    pub product_id: i64,
}

/// What happened to one service (the page lists it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Switched {
    pub service_id: i64,
    pub ok: bool,
    pub message: String,
    /// The product the service is on after a successful switch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
}

impl Switched {
    fn failed(service_id: i64, message: String) -> Switched {
        Switched {
            service_id,
            ok: false,
            message,
            product_id: None,
        }
    }
}

/// Text of a switch that failed on our side (the details are in the activity log).
const LEFT_ALONE: &str = "The switch failed; the service was left on its product.";

/// Switches every service of `moves`, one after the other.
pub fn apply(moves: &[Move], host: &mut dyn SwitchHost) -> Vec<Switched> {
    moves
        .iter()
        .map(|m| match isolated(|| switch_one(*m, host)) {
            Some(Ok(done)) => done,
            Some(Err(e)) => {
                host.activity(&format!(
                    "legacy switch of service {} failed: {}",
                    m.service_id,
                    mask_text(&e.to_string())
                ));
                Switched::failed(m.service_id, LEFT_ALONE.into())
            }
            None => Switched::failed(m.service_id, LEFT_ALONE.into()),
        })
        .collect()
}

/// One service: move to the target with the Cloud ids carried over, ChangePackage there,
/// and back to the original product with its ids when ChangePackage fails.
fn switch_one(m: Move, host: &mut dyn SwitchHost) -> Result<Switched> {
    let original = host.product_of(m.service_id)?;
    let ids = carried(&host.module_fields(m.service_id, original)?);
    host.prepare_product(m.product_id)?;
    if let Err(e) = host.move_to_product(m.service_id, m.product_id) {
        return Ok(Switched::failed(m.service_id, e.to_string()));
    }
    host.save_fields(m.service_id, m.product_id, &ids)?;
    match host.change_package(m.service_id) {
        Ok(()) => {
            host.activity(&format!(
                "service {} switched from product {original} to {} (new licensing)",
                m.service_id, m.product_id
            ));
            Ok(Switched {
                service_id: m.service_id,
                ok: true,
                message: "success".into(),
                product_id: Some(m.product_id),
            })
        }
        Err(e) => {
            host.move_to_product(m.service_id, original)?;
            host.save_fields(m.service_id, original, &ids)?;
            Ok(Switched::failed(m.service_id, e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::error::Error;
    use serde_json::json;
    use std::collections::HashMap;

    /// A WHMCS with services on products and their fields; `refuse_change` and
    /// `refuse_move` name services whose ChangePackage or move fails, `panic_on` one whose
    /// field read panics.
    #[derive(Default)]
    struct Whmcs {
        product: HashMap<i64, i64>,
        fields: HashMap<(i64, i64), Vec<(String, String)>>,
        refuse_change: Vec<i64>,
        refuse_move: Vec<i64>,
        panic_on: Option<i64>,
        prepared: Vec<i64>,
        log: Vec<String>,
    }

    impl RollbackHost for Whmcs {
        fn move_to_product(&mut self, service_id: i64, pid: i64) -> Result<()> {
            if self.refuse_move.contains(&service_id) {
                return Err(Error::internal("UpdateClientProduct failed: locked"));
            }
            self.product.insert(service_id, pid);
            Ok(())
        }
        fn save_fields(&mut self, s: i64, pid: i64, f: &[(String, String)]) -> Result<()> {
            self.fields.insert((s, pid), f.to_vec());
            Ok(())
        }
    }

    impl SwitchHost for Whmcs {
        fn product_of(&mut self, service_id: i64) -> Result<i64> {
            self.product
                .get(&service_id)
                .copied()
                .ok_or_else(|| Error::validation("no such service"))
        }
        fn module_fields(&mut self, service_id: i64, pid: i64) -> Result<Map<String, Value>> {
            assert_ne!(
                self.panic_on,
                Some(service_id),
                "a bug while reading fields"
            );
            let list = self
                .fields
                .get(&(service_id, pid))
                .cloned()
                .unwrap_or_default();
            Ok(list.into_iter().map(|(k, v)| (k, json!(v))).collect())
        }
        fn prepare_product(&mut self, pid: i64) -> Result<()> {
            self.prepared.push(pid);
            Ok(())
        }
        fn change_package(&mut self, service_id: i64) -> Result<()> {
            if self.refuse_change.contains(&service_id) {
                return Err(Error::internal("Quota of the new product is too low"));
            }
            Ok(())
        }
        fn activity(&mut self, text: &str) {
            self.log.push(text.to_string());
        }
    }

    fn whmcs() -> Whmcs {
        let mut w = Whmcs::default();
        for s in [1, 2, 3] {
            w.product.insert(s, 10);
            w.fields.insert(
                (s, 10),
                vec![
                    ("tenant_id".into(), format!("t-{s}")),
                    ("cloud_login".into(), String::new()),
                ],
            );
        }
        w
    }

    fn moves(ids: &[i64]) -> Vec<Move> {
        ids.iter()
            .map(|&service_id| Move {
                service_id,
                product_id: 20,
            })
            .collect()
    }

    #[test]
    fn switched_services_carry_their_ids_to_the_new_product() {
        let mut w = whmcs();
        let out = apply(&moves(&[1]), &mut w);
        assert!(out[0].ok);
        assert_eq!(out[0].product_id, Some(20));
        assert_eq!(w.product[&1], 20);
        assert_eq!(w.fields[&(1, 20)], vec![("tenant_id".into(), "t-1".into())]);
        assert_eq!(w.prepared, vec![20]);
        assert!(w.log[0].contains("switched from product 10 to 20"));
    }

    #[test]
    fn a_failed_change_package_goes_back_and_the_next_service_still_switches() {
        let mut w = whmcs();
        w.refuse_change = vec![2];
        let out = apply(&moves(&[2, 1]), &mut w);
        assert!(!out[0].ok);
        assert!(out[0].message.contains("Quota of the new product"));
        assert_eq!(w.product[&2], 10, "back on its product");
        assert_eq!(w.fields[&(2, 10)], vec![("tenant_id".into(), "t-2".into())]);
        assert!(out[1].ok);
        assert_eq!(w.product[&1], 20);
    }

    #[test]
    fn a_refused_move_changes_nothing() {
        let mut w = whmcs();
        w.refuse_move = vec![1];
        let out = apply(&moves(&[1]), &mut w);
        assert!(!out[0].ok);
        assert!(out[0].message.contains("UpdateClientProduct failed"));
        assert_eq!(w.product[&1], 10);
        assert!(!w.fields.contains_key(&(1, 20)));
    }

    #[test]
    fn an_error_or_a_panic_is_reported_for_that_service_only() {
        let mut w = whmcs();
        w.panic_on = Some(3);
        let out = apply(
            &[
                Move {
                    service_id: 9,
                    product_id: 20,
                },
                Move {
                    service_id: 3,
                    product_id: 20,
                },
                Move {
                    service_id: 1,
                    product_id: 20,
                },
            ],
            &mut w,
        );
        assert_eq!(out[0].message, LEFT_ALONE);
        assert!(w.log[0].contains("legacy switch of service 9 failed"));
        assert_eq!(out[1].message, LEFT_ALONE);
        assert_eq!(w.product[&3], 10);
        assert!(out[2].ok);
    }

    /// The admin action translates a failed service's text (`admin_api::legacy`).
    #[test]
    fn the_failure_text_is_a_translated_message() {
        let de = crate::infra::i18n::Translator::for_locale("de");
        assert_ne!(de.translate_message(LEFT_ALONE), LEFT_ALONE);
    }
}
