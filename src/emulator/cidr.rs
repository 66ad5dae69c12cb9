//! IPv4 prefix arithmetic for the Network RP's subnet checks (containment in the VNet, overlap).

use std::net::Ipv4Addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    pub(crate) base: u32,
    pub(crate) len: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`; host bits must be zero, as the Network RP insists.
    pub(crate) fn parse(text: &str) -> Option<Cidr> {
        let (addr, len) = text.trim().split_once('/')?;
        let addr: Ipv4Addr = addr.parse().ok()?;
        let len: u8 = len.parse().ok()?;
        if len > 32 {
            return None;
        }
        let base = u32::from(addr);
        let cidr = Cidr { base, len };
        (base & cidr.mask() == base).then_some(cidr)
    }

    fn mask(self) -> u32 {
        if self.len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.len))
        }
    }

    fn last(self) -> u32 {
        self.base | !self.mask()
    }

    pub(crate) fn contains(self, inner: Cidr) -> bool {
        inner.len >= self.len && inner.base & self.mask() == self.base
    }

    pub(crate) fn overlaps(self, other: Cidr) -> bool {
        self.base <= other.last() && other.base <= self.last()
    }
}

#[cfg(test)]
mod tests {
    use super::Cidr;

    #[test]
    fn containment_and_overlap() {
        let vnet = Cidr::parse("10.0.0.0/16").expect("valid");
        let a = Cidr::parse("10.0.1.0/24").expect("valid");
        let b = Cidr::parse("10.0.1.128/25").expect("valid");
        let c = Cidr::parse("10.1.0.0/24").expect("valid");
        assert!(vnet.contains(a));
        assert!(!vnet.contains(c));
        assert!(a.overlaps(b) && b.overlaps(a));
        assert!(!a.overlaps(c));
        assert_eq!(Cidr::parse("10.0.1.1/24"), None);
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("nonsense"), None);
    }
}
