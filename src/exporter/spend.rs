//! The store's spend as series a Prometheus can keep: USD ever spent by
//! product as a counter that never goes down within a run, and the last
//! day's countries cut to the largest few and `other`, so a burst to a
//! hundred destinations cannot become a hundred new series. Pure.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::store::Total;

/// How many countries get a series of their own; the rest add up to
/// [`OTHER`].
pub const TOP_COUNTRIES: usize = 20;
/// The label of a group the store does not know: a record with no country,
/// a message whose type was never said.
pub const UNKNOWN: &str = "unknown";
/// The label of the countries beyond the top.
pub const OTHER: &str = "other";

/// A group's label value.
fn label(key: Option<&str>) -> &str {
    key.unwrap_or(UNKNOWN)
}

/// The `top` largest of `totals` by amount, the least key first among
/// equals (so the same spend always gives the same series), then
/// [`OTHER`], the exact sum of the rest, when any are left. Unknown (no
/// key) is ranked as a group of its own.
pub fn top_and_other(totals: &[Total], top: usize) -> Vec<(String, Decimal)> {
    let mut ranked: Vec<(&str, Decimal)> = totals
        .iter()
        .map(|t| (label(t.key.as_deref()), t.amount))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let rest = ranked.split_off(top.min(ranked.len()));
    let mut cut: Vec<(String, Decimal)> = ranked
        .into_iter()
        .map(|(key, amount)| (key.to_owned(), amount))
        .collect();
    if !rest.is_empty() {
        cut.push((
            OTHER.to_owned(),
            rest.iter().map(|(_, amount)| *amount).sum(),
        ));
    }
    cut
}

/// USD ever spent by product, as a Prometheus counter must be: it never
/// goes down. It starts at what the store holds, then grows by what the
/// store's sum grows from one digest to the next. Where that sum falls
/// (a damaged store set aside and a new one back-filled, an amount revised
/// down), the counter holds rather than dropping: Prometheus would read a
/// drop as a reset and count the whole sum again as the last hour's
/// spend, a spike that never was. A product the store no longer holds
/// keeps its series.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counter {
    /// The store's sums at the last digest, by product.
    stored: BTreeMap<String, Decimal>,
    /// What is exported, by product.
    counted: BTreeMap<String, Decimal>,
}

impl Counter {
    /// Takes in the store's sums by product, `ever`.
    pub fn take(&mut self, ever: &[Total]) {
        let mut now: BTreeMap<String, Decimal> = BTreeMap::new();
        for t in ever {
            *now.entry(label(t.key.as_deref()).to_owned()).or_default() += t.amount;
        }
        for (product, amount) in &now {
            match self.counted.get_mut(product) {
                Some(counted) => {
                    let before = self.stored.get(product).copied().unwrap_or_default();
                    *counted += (*amount - before).max(Decimal::ZERO);
                }
                None => {
                    self.counted.insert(product.clone(), *amount);
                }
            }
        }
        self.stored = now;
    }

    /// Each product's counter, by name.
    pub fn counted(&self) -> impl Iterator<Item = (&str, Decimal)> {
        self.counted.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn total(key: Option<&str>, amount: Decimal) -> Total {
        Total {
            key: key.map(str::to_owned),
            count: 1,
            amount,
        }
    }

    #[test]
    fn twenty_countries_keep_their_own_series_and_the_rest_add_up_to_other_exactly() {
        // 25 countries, given smallest first: A spends 0.00001, B 0.00002, …
        let totals: Vec<Total> = (1..=25u8)
            .map(|i| {
                let code = format!("{}{}", char::from(b'A' + i - 1), 'X');
                total(Some(&code), Decimal::new(i64::from(i), 5))
            })
            .collect();
        let cut = top_and_other(&totals, TOP_COUNTRIES);
        assert_eq!(cut.len(), 21);
        assert_eq!(cut[0], ("YX".to_owned(), dec!(0.00025)));
        assert_eq!(cut[19], ("FX".to_owned(), dec!(0.00006)));
        // The five smallest: 1 + 2 + 3 + 4 + 5 hundred-thousandths.
        assert_eq!(cut[20], (OTHER.to_owned(), dec!(0.00015)));
        let all: Decimal = totals.iter().map(|t| t.amount).sum();
        assert_eq!(cut.iter().map(|(_, a)| *a).sum::<Decimal>(), all);
    }

    #[test]
    fn no_other_when_nothing_is_left_over_and_ties_rank_by_name() {
        let totals = [
            total(Some("US"), dec!(2)),
            total(None, dec!(5)),
            total(Some("GB"), dec!(2)),
        ];
        assert_eq!(
            top_and_other(&totals, 3),
            [
                (UNKNOWN.to_owned(), dec!(5)),
                ("GB".to_owned(), dec!(2)),
                ("US".to_owned(), dec!(2)),
            ]
        );
        assert_eq!(
            top_and_other(&totals, 1),
            [(UNKNOWN.to_owned(), dec!(5)), (OTHER.to_owned(), dec!(4))]
        );
        assert!(top_and_other(&[], TOP_COUNTRIES).is_empty());
    }

    #[test]
    fn the_counter_starts_at_the_store_and_grows_with_it() {
        let mut counter = Counter::default();
        counter.take(&[
            total(Some("sms-outbound"), dec!(10.5)),
            total(None, dec!(0.1)),
        ]);
        assert_eq!(
            counter.counted().collect::<Vec<_>>(),
            [("sms-outbound", dec!(10.5)), (UNKNOWN, dec!(0.1))]
        );
        counter.take(&[
            total(Some("sms-outbound"), dec!(12.75)),
            total(Some("voice-outbound"), dec!(3)),
            total(None, dec!(0.1)),
        ]);
        assert_eq!(
            counter.counted().collect::<Vec<_>>(),
            [
                ("sms-outbound", dec!(12.75)),
                (UNKNOWN, dec!(0.1)),
                ("voice-outbound", dec!(3)),
            ]
        );
    }

    #[test]
    fn the_counter_never_goes_down_when_the_store_does() {
        let mut counter = Counter::default();
        counter.take(&[total(Some("sms-outbound"), dec!(500))]);
        // A new store, back-filled only as deep as the month so far.
        counter.take(&[total(Some("sms-outbound"), dec!(300))]);
        assert_eq!(
            counter.counted().collect::<Vec<_>>(),
            [("sms-outbound", dec!(500))]
        );
        // Then it grows by what the new store grows.
        counter.take(&[total(Some("sms-outbound"), dec!(301.25))]);
        assert_eq!(
            counter.counted().collect::<Vec<_>>(),
            [("sms-outbound", dec!(501.25))]
        );
        // A product gone from the store keeps its series, and counts from
        // nothing if it comes back.
        counter.take(&[]);
        counter.take(&[total(Some("sms-outbound"), dec!(0.5))]);
        assert_eq!(
            counter.counted().collect::<Vec<_>>(),
            [("sms-outbound", dec!(501.75))]
        );
    }
}
