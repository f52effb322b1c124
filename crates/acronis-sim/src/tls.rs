//! TLS material generated at start-up: a throw-away CA, a server certificate
//! for `localhost`/`127.0.0.1` signed by it, and two "bad" certificates that the
//! `tls` fault switches to (self-signed, wrong host name).

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

pub const MODE_NORMAL: u8 = 0;
pub const MODE_SELF_SIGNED: u8 = 1;
pub const MODE_WRONG_HOST: u8 = 2;

pub struct TlsMaterial {
    pub ca_pem: String,
    normal: Arc<CertifiedKey>,
    self_signed: Arc<CertifiedKey>,
    wrong_host: Arc<CertifiedKey>,
}

fn certified(cert: CertificateDer<'static>, key: &KeyPair) -> Result<Arc<CertifiedKey>, String> {
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing =
        rustls::crypto::ring::sign::any_supported_type(&der).map_err(|e| e.to_string())?;
    Ok(Arc::new(CertifiedKey::new(vec![cert], signing)))
}

fn leaf_params(names: &[&str]) -> Result<CertificateParams, String> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    p.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("localhost"),
    );
    for n in names {
        p.subject_alt_names.push(match n.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName((*n).try_into().map_err(|e: rcgen::Error| e.to_string())?),
        });
    }
    Ok(p)
}

impl TlsMaterial {
    pub fn generate() -> Result<TlsMaterial, String> {
        let e = |x: rcgen::Error| x.to_string();
        let ca_key = KeyPair::generate().map_err(e)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "acronis-sim test CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(e)?;

        let key = KeyPair::generate().map_err(e)?;
        let ip = Ipv4Addr::LOCALHOST.to_string();
        let leaf = leaf_params(&["localhost", &ip])?
            .signed_by(&key, &ca_cert, &ca_key)
            .map_err(e)?;
        let self_key = KeyPair::generate().map_err(e)?;
        let selfc = leaf_params(&["localhost", &ip])?
            .self_signed(&self_key)
            .map_err(e)?;
        let wrong_key = KeyPair::generate().map_err(e)?;
        let wrong = leaf_params(&["wrong-host.sim.invalid"])?
            .signed_by(&wrong_key, &ca_cert, &ca_key)
            .map_err(e)?;
        Ok(TlsMaterial {
            ca_pem: ca_cert.pem(),
            normal: certified(leaf.der().clone(), &key)?,
            self_signed: certified(selfc.der().clone(), &self_key)?,
            wrong_host: certified(wrong.der().clone(), &wrong_key)?,
        })
    }

    /// Server config whose certificate follows the DC's `tls` fault mode at each handshake.
    pub fn server_config(&self, mode: Arc<AtomicU8>) -> Result<Arc<rustls::ServerConfig>, String> {
        let resolver = Resolver {
            normal: self.normal.clone(),
            self_signed: self.self_signed.clone(),
            wrong_host: self.wrong_host.clone(),
            mode,
        };
        let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(cfg))
    }
}

struct Resolver {
    normal: Arc<CertifiedKey>,
    self_signed: Arc<CertifiedKey>,
    wrong_host: Arc<CertifiedKey>,
    mode: Arc<AtomicU8>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("acronis-sim cert resolver")
    }
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(match self.mode.load(Ordering::SeqCst) {
            MODE_SELF_SIGNED => self.self_signed.clone(),
            MODE_WRONG_HOST => self.wrong_host.clone(),
            _ => self.normal.clone(),
        })
    }
}
