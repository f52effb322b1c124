//! Per-tenant usage metrics from report rows (docs/behaviour.md §F.4 steps 2–4, with the
//! J.2 #7/#8 fixes). Pure: which tenants are known and which infras are platform-owned come
//! from the caller; the platform-owned question is asked once per DISTINCT infra id, so a
//! report costs O(distinct storages) platform lookups instead of two calls per tenant.
//!
//! Storage is compact because a 100,000-tenant report has millions of rows: tenant, metric and
//! infra ids are interned once, and each tenant keeps one 16-byte entry per `(metric, infra)`
//! (needed for "a later row for the same tenant, metric and infra overwrites") until the sum.

use super::csv_reader::Row;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (rustc's hasher): far cheaper than SipHash for the short ids hashed once per row;
/// the keys are ids from a report, so hash flooding is not a concern here.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(<[u8; 8]>::try_from(c).unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Items billed by consumption during the period (`delta` counters); all others `absolute`.
pub const DELTA_ITEMS: [&str; 4] = [
    "compute_points",
    "pw_compute_points",
    "dre_compute_points",
    "p_dre_compute_points",
];

/// Partner-owned storage remaps. J.2 #7: `pw_dr_storage` goes to `pw_dr_child_storage`, the
/// catalog's metric name (the reference produced `pw_dr_child_storages`, which is never billed).
pub const PARTNER_REMAP: [(&str, &str); 4] = [
    ("pg_storage", "pg_child_storages"),
    ("pw_storage", "pg_child_storages"),
    ("pw_dr_storage", "pw_dr_child_storage"),
    ("fc_storage", "fc_child_storages"),
];

/// Metric name of a row. J.2 #8: a remapped partner name gets no `_<backend>` suffix, since
/// the catalog has no `*_child_storage(s)_<backend>` metric and such rows were never billed.
pub fn metric_name<'a>(
    name: &'a str,
    backend_type: Option<&'a str>,
    platform_owned: bool,
) -> std::borrow::Cow<'a, str> {
    if !platform_owned {
        if let Some((_, to)) = PARTNER_REMAP.iter().find(|(from, _)| *from == name) {
            return std::borrow::Cow::Borrowed(to);
        }
    }
    match backend_type {
        Some(b) if !b.is_empty() => std::borrow::Cow::Owned(format!("{name}_{b}")),
        _ => std::borrow::Cow::Borrowed(name),
    }
}

/// The value billed for a row: strategy by item, counter by tenant kind.
pub fn row_value(row: &Row<'_>) -> f64 {
    let family = if DELTA_ITEMS.contains(&row.name) {
        &row.delta
    } else {
        &row.absolute
    };
    if row.tenant_kind == "customer" {
        family.total
    } else {
        family.production
    }
}

const NO_INFRA: u32 = u32::MAX;
/// End of a tenant's entry list.
const NIL: u32 = u32::MAX;
/// Marks an entry folded into an earlier one by [`Aggregator::finish`].
const MERGED: u32 = u32::MAX;
/// Entries per storage block (1 MiB): the store grows without reallocating or doubling.
const BLOCK_BITS: u32 = 16;
const BLOCK: usize = 1 << BLOCK_BITS;

/// One value of a tenant for a `(metric, infra)` key; a tenant's entries form a linked list
/// in shared blocks: 16 bytes a row, no allocation per tenant, no 100,000 frees at the end.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u32,
    next: u32,
    value: f64,
}

/// Append-only entry store in fixed blocks (peak memory = what is used, rounded to 1 MiB).
#[derive(Debug, Clone, Default)]
struct Entries {
    blocks: Vec<Vec<Entry>>,
    len: u32,
}

impl Entries {
    fn get(&self, at: u32) -> Option<&Entry> {
        self.blocks
            .get((at >> BLOCK_BITS) as usize)?
            .get(at as usize & (BLOCK - 1))
    }
    fn get_mut(&mut self, at: u32) -> Option<&mut Entry> {
        self.blocks
            .get_mut((at >> BLOCK_BITS) as usize)?
            .get_mut(at as usize & (BLOCK - 1))
    }
    fn push(&mut self, e: Entry) -> u32 {
        if self.blocks.last().is_none_or(|b| b.len() == BLOCK) {
            self.blocks.push(Vec::with_capacity(BLOCK));
        }
        if let Some(b) = self.blocks.last_mut() {
            b.push(e);
        }
        let at = self.len;
        self.len = self.len.saturating_add(1);
        at
    }
}

/// A tenant: its id (a range of the id arena) and the head and tail of its entry list.
#[derive(Debug, Clone, Copy)]
struct Slot {
    id: (usize, usize),
    head: u32,
    tail: u32,
}

fn fx_hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

/// Streaming aggregation: feed rows with [`Aggregator::add`], then [`Aggregator::finish`].
pub struct Aggregator<'k, P: FnMut(&str) -> bool> {
    known: Option<&'k HashSet<String>>,
    platform_owned: P,
    /// Infra id → (interned index, platform-owned).
    infras: FxMap<Box<str>, (u32, bool)>,
    /// Infra ids by index, and the last one used (rows of a tenant share a few infras).
    infra_ids: Vec<Box<str>>,
    last_infra: Option<(u32, bool)>,
    metric_index: FxMap<String, u32>,
    metric_names: Vec<String>,
    /// Reused buffer for `<name>_<backend>` metric names.
    name_buf: String,
    /// `(metric, infra)` → key, and the keys' parts.
    key_index: FxMap<(u32, u32), u32>,
    keys: Vec<(u32, u32)>,
    /// Tenant ids, back to back.
    ids: String,
    /// Hash of a tenant id → tenant index (a colliding hash probes the next value).
    tenant_index: FxMap<u64, u32>,
    tenants: Vec<Slot>,
    entries: Entries,
    /// Rows are grouped by tenant in practice: the last tenant skips the hash lookups.
    last_tenant: Option<u32>,
    last_unknown: String,
    lookups: u64,
}

impl<'k, P: FnMut(&str) -> bool> Aggregator<'k, P> {
    /// `known`: tenants to keep (`None` = every tenant); `platform_owned(infra_id)` is called
    /// once per distinct infra id.
    pub fn new(known: Option<&'k HashSet<String>>, platform_owned: P) -> Self {
        Aggregator {
            known,
            platform_owned,
            infras: FxMap::default(),
            infra_ids: Vec::new(),
            last_infra: None,
            metric_index: FxMap::default(),
            metric_names: Vec::new(),
            name_buf: String::new(),
            key_index: FxMap::default(),
            keys: Vec::new(),
            ids: String::new(),
            tenant_index: FxMap::default(),
            tenants: Vec::new(),
            entries: Entries::default(),
            last_tenant: None,
            last_unknown: String::new(),
            lookups: 0,
        }
    }

    fn tenant_id(&self, t: u32) -> &str {
        self.tenants
            .get(t as usize)
            .and_then(|slot| self.ids.get(slot.id.0..slot.id.1))
            .unwrap_or_default()
    }

    fn tenant(&mut self, id: &str) -> Option<u32> {
        if let Some(t) = self.last_tenant {
            if self.tenant_id(t) == id {
                return Some(t);
            }
        }
        if !self.last_unknown.is_empty() && self.last_unknown == id {
            return None;
        }
        let mut h = fx_hash(id);
        loop {
            match self.tenant_index.get(&h) {
                Some(&t) if self.tenant_id(t) == id => {
                    self.last_tenant = Some(t);
                    return Some(t);
                }
                Some(_) => h = h.wrapping_add(1),
                None => break,
            }
        }
        if self.known.is_some_and(|k| !k.contains(id)) {
            self.last_unknown.clear();
            self.last_unknown.push_str(id);
            return None;
        }
        let t = u32::try_from(self.tenants.len()).unwrap_or(u32::MAX);
        let start = self.ids.len();
        self.ids.push_str(id);
        self.tenants.push(Slot {
            id: (start, self.ids.len()),
            head: NIL,
            tail: NIL,
        });
        self.tenant_index.insert(h, t);
        self.last_tenant = Some(t);
        Some(t)
    }

    fn infra(&mut self, id: Option<&str>) -> (u32, bool) {
        let Some(id) = id else {
            // No infra: nothing to check, the item is not partner storage.
            return (NO_INFRA, true);
        };
        if let Some((idx, owned)) = self.last_infra {
            if self.infra_ids.get(idx as usize).is_some_and(|l| &**l == id) {
                return (idx, owned);
            }
        }
        let (idx, owned) = match self.infras.get(id) {
            Some(&v) => v,
            None => {
                self.lookups += 1;
                let owned = (self.platform_owned)(id);
                let idx = u32::try_from(self.infras.len()).unwrap_or(NO_INFRA - 1);
                self.infras.insert(id.into(), (idx, owned));
                self.infra_ids.push(id.into());
                (idx, owned)
            }
        };
        self.last_infra = Some((idx, owned));
        (idx, owned)
    }

    fn metric(&mut self, name: &str) -> u32 {
        if let Some(&m) = self.metric_index.get(name) {
            return m;
        }
        let m = u32::try_from(self.metric_names.len()).unwrap_or(u32::MAX);
        self.metric_index.insert(name.to_string(), m);
        self.metric_names.push(name.to_string());
        m
    }

    fn key(&mut self, metric: u32, infra: u32) -> u32 {
        if let Some(&k) = self.key_index.get(&(metric, infra)) {
            return k;
        }
        let k = u32::try_from(self.keys.len()).unwrap_or(MERGED - 1);
        self.key_index.insert((metric, infra), k);
        self.keys.push((metric, infra));
        k
    }

    /// Adds one row (ignored when its tenant is not known).
    pub fn add(&mut self, row: &Row<'_>) {
        let Some(t) = self.tenant(row.tenant_id) else {
            return;
        };
        let (infra, owned) = self.infra(row.infra_id);
        let remapped = if owned {
            None
        } else {
            PARTNER_REMAP
                .iter()
                .find(|(from, _)| *from == row.name)
                .map(|(_, to)| *to)
        };
        // Same rule as `metric_name`, without allocating per row.
        let metric = match (remapped, row.backend_type) {
            (Some(to), _) => self.metric(to),
            (None, Some(b)) if !b.is_empty() => {
                let mut name = std::mem::take(&mut self.name_buf);
                name.clear();
                name.push_str(row.name);
                name.push('_');
                name.push_str(b);
                let m = self.metric(&name);
                self.name_buf = name;
                m
            }
            (None, _) => self.metric(row.name),
        };
        let key = self.key(metric, infra);
        let value = row_value(row);
        let Some(slot) = self.tenants.get(t as usize).copied() else {
            return;
        };
        let mut at = slot.head;
        while let Some(e) = self.entries.get_mut(at) {
            if e.key == key {
                e.value = value; // a later row for the same tenant, metric and infra wins
                return;
            }
            at = e.next;
        }
        let new = self.entries.push(Entry {
            key,
            next: NIL,
            value,
        });
        if let Some(tail) = self.entries.get_mut(slot.tail) {
            tail.next = new;
        }
        if let Some(s) = self.tenants.get_mut(t as usize) {
            if s.head == NIL {
                s.head = new;
            }
            s.tail = new;
        }
    }

    /// Platform-owned lookups made so far (one per distinct infra id).
    pub fn infra_lookups(&self) -> u64 {
        self.lookups
    }

    /// Sums each tenant's metric over its infra ids, in place: an entry is added to the
    /// tenant's first entry of the same metric and marked merged.
    pub fn finish(mut self) -> UsageMetrics {
        let metric_of = |keys: &[(u32, u32)], k: u32| keys.get(k as usize).map(|&(m, _)| m);
        for slot in &self.tenants {
            let mut at = slot.head;
            while let Some(e) = self.entries.get(at).copied() {
                let metric = metric_of(&self.keys, e.key);
                let mut first = slot.head;
                while first != at {
                    let Some(f) = self.entries.get(first).copied() else {
                        break;
                    };
                    if f.key != MERGED && metric_of(&self.keys, f.key) == metric {
                        break;
                    }
                    first = f.next;
                }
                if first != at {
                    if let Some(f) = self.entries.get_mut(first) {
                        f.value += e.value;
                    }
                    if let Some(me) = self.entries.get_mut(at) {
                        me.key = MERGED;
                    }
                }
                at = e.next;
            }
        }
        UsageMetrics {
            metric_names: self.metric_names,
            keys: self.keys,
            ids: self.ids,
            tenants: self.tenants,
            entries: self.entries,
            infra_lookups: self.lookups,
        }
    }
}

/// Result: per tenant (first-seen order) its metrics (first-seen order) and summed raw values.
#[derive(Debug, Clone, Default)]
pub struct UsageMetrics {
    metric_names: Vec<String>,
    keys: Vec<(u32, u32)>,
    ids: String,
    tenants: Vec<Slot>,
    entries: Entries,
    /// Platform-owned lookups the computation made.
    pub infra_lookups: u64,
}

/// The summed metrics of one tenant.
pub struct TenantMetrics<'a> {
    owner: &'a UsageMetrics,
    at: u32,
}

impl<'a> Iterator for TenantMetrics<'a> {
    type Item = (&'a str, f64);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let e = self.owner.entries.get(self.at)?;
            self.at = e.next;
            if e.key == MERGED {
                continue;
            }
            let name = self
                .owner
                .keys
                .get(e.key as usize)
                .and_then(|&(m, _)| self.owner.metric_names.get(m as usize))
                .map_or("", String::as_str);
            return Some((name, e.value));
        }
    }
}

impl UsageMetrics {
    pub fn tenant_count(&self) -> usize {
        self.tenants.len()
    }

    /// `(tenant id, (metric, value) pairs)` in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, TenantMetrics<'_>)> + '_ {
        self.tenants.iter().map(|slot| {
            let id = self.ids.get(slot.id.0..slot.id.1).unwrap_or_default();
            (
                id,
                TenantMetrics {
                    owner: self,
                    at: slot.head,
                },
            )
        })
    }

    /// Value of one metric of one tenant.
    pub fn get(&self, tenant: &str, metric: &str) -> Option<f64> {
        let (_, mut sums) = self.iter().find(|(id, _)| *id == tenant)?;
        sums.find(|(m, _)| *m == metric).map(|(_, v)| v)
    }

    /// `{tenant: {metric: value}}` (tests, small reports).
    pub fn to_map(&self) -> HashMap<String, HashMap<String, f64>> {
        self.iter()
            .map(|(t, ms)| (t.to_string(), ms.map(|(m, v)| (m.to_string(), v)).collect()))
            .collect()
    }
}

/// F.4 steps 2–4 over a slice of rows.
pub fn compute_metrics(
    rows: &[Row<'_>],
    known: Option<&HashSet<String>>,
    platform_owned: impl FnMut(&str) -> bool,
) -> UsageMetrics {
    let mut agg = Aggregator::new(known, platform_owned);
    for row in rows {
        agg.add(row);
    }
    agg.finish()
}
