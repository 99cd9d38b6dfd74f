//! Code lists for the synthetic extract: bank codes, e-mail domains, nomenclature and ICD-10
//! codes, phone zones. Names, streets and municipalities come from `crate::refdata`.

/// Assigned Belgian bank protocol codes (NBB list, as shipped by python-stdnum).
pub const BANK_CODES: &[u64] = &[1, 14, 35, 63, 68, 96, 103, 310, 363, 390, 419, 435, 630, 645, 735, 750, 890, 979];
pub const EMAIL_DOMAINS: &[&str] =
    &["gmail.com", "telenet.be", "skynet.be", "hotmail.com", "proximus.be", "outlook.be"];
/// INAMI nomenclature codes (6 digits) frequent in ambulatory care.
pub const NOMENCLATURE: &[&str] = &[
    "101010", "101032", "101076", "102771", "103110", "475075", "560011", "560033", "301011", "424012", "590111",
    "350372",
];
/// ICD-10 codes (with dot after the third character) and their share of empties.
pub const ICD10: &[&str] =
    &["E11.9", "I10", "J45.909", "M54.5", "F32.9", "K21.9", "Z00.00", "J06.9", "N39.0", "E78.5", "M17.11", "S93.401A"];
/// Two-digit phone zones (with trunk 0) valid in the Belgian numbering plan.
pub const ZONES: &[&str] = &[
    "050", "011", "016", "013", "014", "015", "053", "056", "057", "058", "059", "060", "061", "063", "064", "065",
    "067", "069", "071", "080", "081", "082", "083", "085", "086", "087", "089",
];
