// properties/property.hpp — one property file per catalogue row, all written through these
// helpers so that every row is tested the same way:
//   * in double and quad by RapidCheck (shapes from the row's ShapeSpec; hypotheses as RC_PRE;
//     regimes as RC_TAG; the shrunk counterexample is the smallest failing shape) and in mp50 on
//     a handful of fixed-seed shapes (MPFR is ~300x slower than double);
//   * exact rows: the relative error must also be below 1e-25 in quad on the same shapes that
//     give ~1e-13 in double (the error shrinks with precision: not a tolerance artefact);
//   * every row: its negative control (a plausible wrong formula) must be rejected by the very
//     same acceptance test — on every applicable shape for exact rows, on some shapes for bounds
//     (a wrong bound may still hold on easy instances), by frequency for stat rows.
// Seeds: RapidCheck replays with RC_PARAMS="seed=..."; the fixed-seed tests read FLATMIN_SEED.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "flatmin/catalogue.hpp"

namespace flatmin::props {

rc::Gen<catalogue::Shape> shapes(const catalogue::ShapeSpec& spec);
const catalogue::Row& row(const std::string& id);
std::uint64_t base_seed();  // FLATMIN_SEED or 20221  (printed by every fixed-seed test)

// Exact and bound rows.
void property_holds(const std::string& id, Precision p);          // body of an RC property
void holds_on_fixed_seeds(const std::string& id, Precision p, int trials);
void control_rejected(const std::string& id, int trials);         // negative control
void error_shrinks_with_precision(const std::string& id, int trials);
// The message of the InvalidArgument that f() throws, or "" when it throws none: for the
// bad-input tests (EXPECT_NE(message_of(...).find("not finite"), npos)).
template <class F> std::string message_of(F&& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

// Over `trials` shapes of row id's spec (the t-th drawn from Rng::derive(base_seed(), {0x0F7, t})),
// evaluated in precision p: the number of applicable trials whose regime label contains each of
// `tags` (a tag absent from every label maps to 0); `applicable` receives the number of
// applicable trials.
std::map<std::string, int> count_tags(const std::string& id, Precision p, catalogue::Variant v,
                                      int trials, const std::vector<std::string>& tags,
                                      int& applicable);

// Stat rows: frequency of the event in the row's regime, and of the control.
void frequency_meets(const std::string& id, Precision p, int trials);
void control_frequency_fails(const std::string& id, int trials);

}  // namespace flatmin::props

// The standard test set of a row with kind exact or bound.
#define FLATMIN_ROW_PROPERTIES(Suite, Id)                                                      \
  RC_GTEST_PROP(Suite, HoldsInDouble, ()) { ::flatmin::props::property_holds(Id, ::flatmin::Precision::binary64); } \
  RC_GTEST_PROP(Suite, HoldsInQuad, ()) { ::flatmin::props::property_holds(Id, ::flatmin::Precision::quad); } \
  TEST(Suite, HoldsInMp50) { ::flatmin::props::holds_on_fixed_seeds(Id, ::flatmin::Precision::mp50, 6); } \
  TEST(Suite, NegativeControlRejected) { ::flatmin::props::control_rejected(Id, 60); }         \
  TEST(Suite, ErrorShrinksWithPrecision) { ::flatmin::props::error_shrinks_with_precision(Id, 20); }

// The standard test set of a stat row (trials: draws per precision in the default run; the
// LongRun test, label "long", uses LongTrials draws and is not part of the default run).
#define FLATMIN_STAT_ROW_PROPERTIES(Suite, Id, Trials, LongTrials)                              \
  TEST(Suite, FrequencyInDouble) { ::flatmin::props::frequency_meets(Id, ::flatmin::Precision::binary64, Trials); } \
  TEST(Suite, FrequencyInQuad) { ::flatmin::props::frequency_meets(Id, ::flatmin::Precision::quad, (Trials) / 4); } \
  TEST(Suite, NegativeControlFails) { ::flatmin::props::control_frequency_fails(Id, Trials); }   \
  TEST(Suite, FrequencyLongRun) { ::flatmin::props::frequency_meets(Id, ::flatmin::Precision::binary64, LongTrials); }
