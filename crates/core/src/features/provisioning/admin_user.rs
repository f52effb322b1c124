//! The service's administrator (docs/behaviour.md §B.7–§B.8): the requested or a generated
//! login, creation, activation by e-mail or password, roles. A user whose creation answer was
//! lost is found again by its login in the service's tenant (`cloud_login` is saved before
//! `POST /users`), so a re-run never creates a second one.

use super::progress::Step;
use super::run::Run;
use super::{field, messages};
use crate::infra::error::{Error, Result};
use crate::platform::tenants::Tenant;
use crate::platform::users::{self, User};
use crate::rules::templates::model::{TenantKind, UserRole};

impl Run<'_, '_> {
    /// The stored user (checked and re-synced) or a new (or recovered) one.
    pub fn ensure_user(&mut self, t: &Tenant) -> Result<User> {
        let stored = self.input.fields.user_id.trim().to_string();
        if !stored.is_empty() {
            let u = users::get(self.conn, &stored)?
                .ok_or_else(|| Error::validation(messages::user_not_found(&stored)))?;
            if u.tenant_id != t.id {
                return Err(Error::validation(messages::user_of_other_tenant(
                    &u.id, &t.id,
                )));
            }
            let u = users::update_profile(self.conn, &u, &self.language, &self.contact)?;
            // A user this module created but never got to activate (interrupted run).
            let unfinished = self
                .previous
                .as_ref()
                .is_some_and(|p| p.step < Step::UserActivated);
            if !u.activated && unfinished {
                self.activate(&u)?;
            }
            self.finished(Step::UserActivated)?;
            return Ok(u);
        }
        let u = match self.recover_or_pick_login(t)? {
            Ok(found) => found,
            Err(login) => {
                if self.login_field != login {
                    self.save(&[(field::CLOUD_LOGIN, Some(&login))])?;
                    self.login_field = login.clone();
                }
                users::create(self.conn, &t.id, &login, &self.contact, &self.language)?
            }
        };
        self.save(&[(field::USER_ID, Some(&u.id))])?;
        self.progress.user_id = u.id.clone();
        self.finished(Step::UserCreated)?;
        if !u.activated {
            self.activate(&u)?;
        }
        self.finished(Step::UserActivated)?;
        Ok(u)
    }

    /// `Ok(user)` when the requested login belongs to a user of the service's tenant (a lost
    /// `POST /users`), else `Err(login)` to create: the requested login when valid and free,
    /// or a generated one.
    fn recover_or_pick_login(&mut self, t: &Tenant) -> Result<std::result::Result<User, String>> {
        let wanted = self.input.fields.cloud_login.trim().to_string();
        if wanted.is_empty() {
            let seed = format!(
                "{}/{}/{}",
                self.input.service_id,
                t.id,
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
            );
            return users::choose_login(self.conn, "", &seed).map(Err);
        }
        if !users::valid_login(&wanted) {
            return Err(Error::validation(messages::LOGIN_INVALID));
        }
        if users::login_is_free(self.conn, &wanted)? {
            return Ok(Err(wanted));
        }
        for id in users::tenant_user_ids(self.conn, &t.id)? {
            if let Some(u) = users::get(self.conn, &id)? {
                if u.login.eq_ignore_ascii_case(&wanted) {
                    return Ok(Ok(u));
                }
            }
        }
        Err(Error::validation(messages::login_taken(&wanted)))
    }

    /// §B.7 activation: `password` method with the order's password (deleted from WHMCS
    /// afterwards), else an activation e-mail.
    fn activate(&mut self, u: &User) -> Result<()> {
        if self.input.activation.trim() == "password" {
            let password = self.input.fields.cloud_password.clone();
            if password.is_empty() {
                return Err(Error::validation(messages::PASSWORD_REQUIRED));
            }
            users::activate_with_password(self.conn, &u.login, &self.contact.email, &password)?;
            self.save(&[(field::CLOUD_PASSWORD, None)])
        } else {
            users::send_activation_email(self.conn, &u.login, &self.contact.email)
        }
    }

    /// §B.8: administrator role of the tenant kind (partners always), else the default roles.
    pub fn set_roles(&mut self, t: &Tenant, u: &User) -> Result<()> {
        let role = match self.template.tenant_kind {
            TenantKind::Partner => UserRole::Admin,
            TenantKind::Customer => self.template.user_role,
        };
        let roles: Vec<String> = match role {
            UserRole::Admin => users::admin_role(&t.kind)
                .map(|r| vec![r.to_string()])
                .unwrap_or_default(),
            UserRole::User => users::default_roles(self.conn, &u.tenant_id)?,
        };
        let refs: Vec<&str> = roles.iter().map(String::as_str).collect();
        users::set_roles(self.conn, u, &refs)
    }
}
