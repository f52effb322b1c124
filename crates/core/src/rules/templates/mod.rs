//! Service templates as rules: the data model, its validation against the platform's facts,
//! and the failure type of template operations. Pure: storage lives in
//! `features::templates`, platform reads behind the `PlatformView` port.

pub mod builder;
pub mod error;
pub mod model;
pub mod validate;

pub use error::{
    TemplateError, TemplateResult, CODE_IS_USED, CODE_NOT_FOUND, IN_USE_REFERENCE_MESSAGE,
};
