//! Acronis Cyber Platform API simulator: a stateful in-memory fake of the
//! Account Management API (v2 plus the v1 calls the WHMCS module makes), with
//! several data centres, TLS, a control API and fault injection.
//!
//! Under the workspace lints like the module itself, with one exception: `indexing_slicing`.
//! The simulator builds JSON answers with `value["field"] = …` on objects it has just created
//! and scans byte buffers within bounds it has checked; a panic there is a failed test, never a
//! customer's request.
#![allow(clippy::indexing_slicing)]

pub mod catalog;
pub mod clock;
pub mod control;
pub mod errors;
pub mod faults;
pub mod http;
pub mod ids;
pub mod pipeline;
pub mod report_csv;
pub mod routes;
pub mod server;
pub mod state;
pub mod tls;

pub use server::{start, Config, RunningSim};
pub use state::seed::{DcSeed, SeedDoc};
