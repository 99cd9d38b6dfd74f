//! IP addresses: a keyed permutation of the IPv4 or IPv6 address space (family kept).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::crypto::{tweak, Domain, Permutation};

/// Pseudonymises an IPv4 or IPv6 address (written in its standard form); `None` if not an address.
pub fn pseudonymise_text(perm: &Permutation, text: &str) -> Option<String> {
    match text.trim().parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let y = perm.permute(tweak(&[b"ip/v4"]), &Domain::new(1u128 << 32), u32::from(v4) as u128);
            Some(Ipv4Addr::from(y as u32).to_string())
        }
        IpAddr::V6(v6) => {
            let y = perm.permute(tweak(&[b"ip/v6"]), &Domain::full_u128(), u128::from(v6));
            Some(Ipv6Addr::from(y).to_string())
        }
    }
}
