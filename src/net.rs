//! IPv4 CIDR arithmetic for subnet, service and pod ranges.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 network such as `10.0.0.0/16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    pub network: u32,
    pub prefix: u8,
}

impl Cidr {
    fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    pub fn first(self) -> u32 {
        self.network
    }

    pub fn last(self) -> u32 {
        self.network | !self.mask()
    }

    pub fn contains(self, other: Cidr) -> bool {
        self.prefix <= other.prefix && self.first() <= other.first() && other.last() <= self.last()
    }

    pub fn contains_ip(self, ip: Ipv4Addr) -> bool {
        let ip = u32::from(ip);
        self.first() <= ip && ip <= self.last()
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.network), self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let (ip, prefix) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not in CIDR notation (e.g. 10.0.0.0/16)"))?;
        let ip: Ipv4Addr = ip
            .parse()
            .map_err(|_| format!("`{ip}` is not an IPv4 address"))?;
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| format!("`/{prefix}` is not a prefix length between 0 and 32"))?;
        let cidr = Cidr {
            network: u32::from(ip),
            prefix,
        };
        if cidr.network & !cidr.mask() != 0 {
            let aligned = Cidr {
                network: cidr.network & cidr.mask(),
                prefix,
            };
            return Err(format!(
                "`{text}` has host bits set; the network is `{aligned}`"
            ));
        }
        Ok(cidr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn containment_and_overlap() {
        assert!(c("10.0.0.0/8").contains(c("10.240.0.0/16")));
        assert!(!c("10.0.0.0/16").contains(c("10.1.0.0/24")));
        assert!(c("10.0.0.0/16").overlaps(c("10.0.255.0/24")));
        assert!(!c("10.0.0.0/24").overlaps(c("10.0.1.0/24")));
        assert!(c("0.0.0.0/0").contains(c("192.168.1.0/24")));
    }

    #[test]
    fn host_bits_are_rejected_with_the_aligned_network() {
        assert_eq!(
            "10.0.0.1/16".parse::<Cidr>().unwrap_err(),
            "`10.0.0.1/16` has host bits set; the network is `10.0.0.0/16`"
        );
    }
}
