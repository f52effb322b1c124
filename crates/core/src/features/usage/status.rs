//! Report status codes and their `view-list` texts (docs/behaviour.md §F.3), with the J.2 #3
//! predicates: a row starts New and "ordered" means status ≥ Ordered.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Error,
    New,
    Ordered,
    Ready,
    Downloaded,
    Aggregated,
    Erased,
    ToBeDeleted,
    Unknown(i64),
}

impl ReportStatus {
    pub fn from_code(code: i64) -> Self {
        match code {
            -1 => ReportStatus::Error,
            1 => ReportStatus::New,
            2 => ReportStatus::Ordered,
            3 => ReportStatus::Ready,
            4 => ReportStatus::Downloaded,
            5 => ReportStatus::Aggregated,
            6 => ReportStatus::Erased,
            7 => ReportStatus::ToBeDeleted,
            other => ReportStatus::Unknown(other),
        }
    }

    pub fn code(self) -> i64 {
        match self {
            ReportStatus::Error => -1,
            ReportStatus::New => 1,
            ReportStatus::Ordered => 2,
            ReportStatus::Ready => 3,
            ReportStatus::Downloaded => 4,
            ReportStatus::Aggregated => 5,
            ReportStatus::Erased => 6,
            ReportStatus::ToBeDeleted => 7,
            ReportStatus::Unknown(c) => c,
        }
    }

    /// The reference's descriptions (view-list).
    pub fn description(self) -> &'static str {
        match self {
            ReportStatus::Error => "Error",
            ReportStatus::New => "New",
            ReportStatus::Ordered => "Ordered",
            ReportStatus::Ready => "Ready for downloading",
            ReportStatus::Downloaded => "Downloaded and saved",
            ReportStatus::Aggregated => "Aggregated",
            ReportStatus::Erased => "Erased",
            ReportStatus::ToBeDeleted => "To be deleted",
            ReportStatus::Unknown(_) => "Unknown",
        }
    }

    /// A file was downloaded (and not erased since).
    pub fn is_downloaded(self) -> bool {
        matches!(self, ReportStatus::Downloaded | ReportStatus::Aggregated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_kept() {
        for c in [-1, 1, 2, 3, 4, 5, 6, 7, 42] {
            assert_eq!(ReportStatus::from_code(c).code(), c);
        }
        assert_eq!(ReportStatus::from_code(0).description(), "Unknown");
        assert_eq!(
            ReportStatus::from_code(4).description(),
            "Downloaded and saved"
        );
        assert_eq!(
            ReportStatus::from_code(3).description(),
            "Ready for downloading"
        );
    }
}
