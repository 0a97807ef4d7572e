//! The usage records turned into spend: whose each record is and where it
//! went ([`attribute`]), and the sync that reads them into the store
//! ([`sync`]); the month ahead ([`forecast`], read from the store by
//! [`ahead`]), what a dashboard or an exporter shows after each sync
//! ([`digest`]), spend spikes ([`spike`]) and what the usage screen
//! shows ([`view`]).

pub mod ahead;
pub mod attribute;
pub mod digest;
pub mod forecast;
pub mod spike;
pub mod sync;
pub mod view;

use rust_decimal::Decimal;

/// An amount in USD to the cent, as the screens and the alerts say one:
/// rounded half to even (`Decimal::round_dp`), never cut (`{:.2}` alone
/// would say 1.809 as 1.80).
pub fn cents(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    #[test]
    fn cents_round_half_to_even_and_never_cut() {
        let said = [
            dec!(1.809),
            dec!(1.805),
            dec!(1.815),
            dec!(0.996),
            dec!(4.2),
            dec!(-2.346),
        ]
        .map(super::cents);
        assert_eq!(said, ["1.81", "1.80", "1.82", "1.00", "4.20", "-2.35"]);
    }
}
