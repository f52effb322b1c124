//! The `AcronisCloud\…` exception hierarchy, registered with `ClassBuilder` at module start-up
//! so the classes are ordinary PHP exceptions (constructible from PHP, correct file/line), and
//! the mapping from core errors to those classes.

use acroniscloud_core::Error;
use ext_php_rs::builders::{ClassBuilder, ClassProperty, FunctionBuilder};
use ext_php_rs::exception::{throw_with_code, PhpException};
use ext_php_rs::ffi::{zend_class_entry, zend_object, zend_read_property, zval};
use ext_php_rs::flags::{MethodFlags, PropertyFlags};
use ext_php_rs::types::Zval;
use ext_php_rs::zend::{ClassEntry, ExecuteData, ExecutorGlobals};
use once_cell::sync::OnceCell;
use std::os::raw::c_char;

extern "C" {
    static mut spl_ce_RuntimeException: *mut zend_class_entry;
    fn zend_update_property(
        scope: *mut zend_class_entry,
        object: *mut zend_object,
        name: *const c_char,
        name_length: usize,
        value: *mut zval,
    );
}

/// Class entries handed over by the registration callbacks (`try_find` does not work during
/// start-up).
struct Entry(OnceCell<usize>);

impl Entry {
    const fn new() -> Self {
        Entry(OnceCell::new())
    }
    fn set(&self, ce: &'static mut ClassEntry) {
        let _ = self.0.set(ce as *mut ClassEntry as usize);
    }
    fn get(&self) -> Option<&'static ClassEntry> {
        // SAFETY: class entries registered at MINIT live until MSHUTDOWN.
        self.0.get().map(|p| unsafe { &*(*p as *const ClassEntry) })
    }
}

static BASE: Entry = Entry::new();
static API: Entry = Entry::new();
static CONFIG: Entry = Entry::new();
static VALIDATION: Entry = Entry::new();
static TRANSPORT: Entry = Entry::new();

pub const BASE_NAME: &str = "AcronisCloud\\Exception";
pub const API_NAME: &str = "AcronisCloud\\ApiException";
pub const CONFIG_NAME: &str = "AcronisCloud\\ConfigException";
pub const VALIDATION_NAME: &str = "AcronisCloud\\ValidationException";
pub const TRANSPORT_NAME: &str = "AcronisCloud\\TransportException";

fn runtime_exception() -> &'static ClassEntry {
    // SAFETY: SPL is part of every PHP build and registers RuntimeException before extensions.
    unsafe { &*(spl_ce_RuntimeException as *const ClassEntry) }
}

fn base_ce() -> &'static ClassEntry {
    BASE.get().unwrap_or_else(runtime_exception)
}

fn reg_base(ce: &'static mut ClassEntry, _: ext_php_rs::args::ArgInfoTables) {
    BASE.set(ce)
}
fn reg_api(ce: &'static mut ClassEntry, _: ext_php_rs::args::ArgInfoTables) {
    API.set(ce)
}
fn reg_config(ce: &'static mut ClassEntry, _: ext_php_rs::args::ArgInfoTables) {
    CONFIG.set(ce)
}
fn reg_validation(ce: &'static mut ClassEntry, _: ext_php_rs::args::ArgInfoTables) {
    VALIDATION.set(ce)
}
fn reg_transport(ce: &'static mut ClassEntry, _: ext_php_rs::args::ArgInfoTables) {
    TRANSPORT.set(ce)
}

const API_PROPS: [&str; 4] = ["httpStatus", "errorCode", "requestId", "details"];

fn read_prop(ex: &mut ExecuteData, name: &str) -> Option<Zval> {
    let ce = API.get()?;
    let this = ex.get_self()?;
    let mut rv = Zval::new();
    // SAFETY: reading a declared property of $this with the declaring class as scope.
    let zv = unsafe {
        zend_read_property(
            ce as *const ClassEntry as *mut zend_class_entry,
            this as *mut ext_php_rs::types::ZendObject as *mut zend_object,
            name.as_ptr().cast(),
            name.len(),
            true,
            &mut rv as *mut Zval as *mut zval,
        )
        .cast::<Zval>()
        .as_ref()
    }?;
    Some(zv.shallow_clone())
}

macro_rules! getter {
    ($fn:ident, $prop:expr) => {
        extern "C" fn $fn(ex: &mut ExecuteData, retval: &mut Zval) {
            match read_prop(ex, $prop) {
                Some(v) => *retval = v,
                None => retval.set_null(),
            }
        }
    };
}
getter!(get_http_status, "httpStatus");
getter!(get_error_code, "errorCode");
getter!(get_request_id, "requestId");
getter!(get_details, "details");

fn prop(name: &str, default: fn() -> Zval) -> ClassProperty {
    ClassProperty {
        name: name.into(),
        flags: PropertyFlags::Protected,
        default: Some(Box::new(move || Ok(default()))),
        docs: &[],
        ty: None,
        nullable: true,
        readonly: false,
        default_stub: None,
    }
}

fn zero() -> Zval {
    let mut z = Zval::new();
    z.set_long(0);
    z
}
fn null() -> Zval {
    let mut z = Zval::new();
    z.set_null();
    z
}

/// Registers the classes; called from the module start-up function.
pub fn register() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new(BASE_NAME)
        .extends((runtime_exception, "\\RuntimeException"))
        .registration(reg_base)
        .register()?;
    let mut api = ClassBuilder::new(API_NAME)
        .extends((base_ce, "\\AcronisCloud\\Exception"))
        .registration(reg_api);
    for (i, p) in API_PROPS.iter().enumerate() {
        api = api.property(prop(p, if i == 0 { zero } else { null }));
    }
    api = api
        .method(
            FunctionBuilder::new("getHttpStatus", get_http_status),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("getErrorCode", get_error_code),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("getRequestId", get_request_id),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("getDetails", get_details),
            MethodFlags::Public,
        );
    api.register()?;
    ClassBuilder::new(CONFIG_NAME)
        .extends((base_ce, "\\AcronisCloud\\Exception"))
        .registration(reg_config)
        .register()?;
    ClassBuilder::new(VALIDATION_NAME)
        .extends((base_ce, "\\AcronisCloud\\Exception"))
        .registration(reg_validation)
        .register()?;
    ClassBuilder::new(TRANSPORT_NAME)
        .extends((base_ce, "\\AcronisCloud\\Exception"))
        .registration(reg_transport)
        .register()?;
    Ok(())
}

fn set_pending_prop(ce: &'static ClassEntry, name: &str, mut value: Zval) {
    let globals = ExecutorGlobals::get();
    if let Some(obj) = globals.exception() {
        // SAFETY: the pending exception is a live object of class `ce` (or a subclass); the
        // engine owns it and nothing else touches it until we return to PHP.
        unsafe {
            zend_update_property(
                ce as *const ClassEntry as *mut zend_class_entry,
                obj as *const ext_php_rs::types::ZendObject as *mut zend_object,
                name.as_ptr().cast(),
                name.len(),
                &mut value as *mut Zval as *mut zval,
            );
        }
    }
}

fn opt_string(s: Option<&str>) -> Zval {
    let mut z = Zval::new();
    match s {
        Some(s) => {
            if z.set_string(s, false).is_err() {
                z.set_null();
            }
        }
        None => z.set_null(),
    }
    z
}

/// Throws the PHP exception for a core error and returns a placeholder: ext-php-rs does not
/// throw again while an exception is pending.
pub fn raise(err: &Error) -> PhpException {
    let (ce, name) = match err {
        Error::Api(_) => (API.get(), API_NAME),
        Error::Config(_) => (CONFIG.get(), CONFIG_NAME),
        Error::Validation(_) => (VALIDATION.get(), VALIDATION_NAME),
        Error::Transport(_) => (TRANSPORT.get(), TRANSPORT_NAME),
        Error::Internal(_) => (BASE.get(), BASE_NAME),
    };
    let Some(ce) = ce else {
        return PhpException::from(format!("{name}: {err}"));
    };
    let message = err.to_string().replace('\0', " ");
    let code = match err {
        Error::Api(e) => i32::from(e.status),
        _ => 0,
    };
    if throw_with_code(ce, code, &message).is_err() {
        return PhpException::from(message);
    }
    if let (Error::Api(e), Some(api)) = (err, API.get()) {
        let mut status = Zval::new();
        status.set_long(i64::from(e.status));
        set_pending_prop(api, "httpStatus", status);
        set_pending_prop(api, "errorCode", opt_string(e.code.as_deref()));
        set_pending_prop(api, "requestId", opt_string(e.request_id.as_deref()));
        set_pending_prop(api, "details", opt_string(e.details.as_deref()));
    }
    PhpException::from(message)
}
