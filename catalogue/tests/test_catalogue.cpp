// The catalogue's runner (flatmin/catalogue.hpp run()): a row that throws, a stat row whose
// measure is NaN and a trial marked as a defect are counterexamples with their shape and seed,
// never an error that stops the run; and the report of a row without any stays as it was.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "flatmin/catalogue.hpp"

using namespace flatmin;
using namespace flatmin::catalogue;

namespace {

// A row of the given kind whose evaluator calls f on every shape.
Row synthetic_row(Kind kind, Evaluator f) {
  Row r;
  r.id = "synthetic";
  r.kind = kind;
  r.spec.d_max = 4;
  r.tolerance_eps = 10;
  r.min_frequency = 0.5;
  r.evaluate = std::move(f);
  return r;
}

Outcome passing(Kind kind) {
  Outcome o;
  o.holds = true;
  o.value = kind == Kind::bound ? 1.0 : 0.5;
  return o;
}

}  // namespace

TEST(Catalogue, ThrowingTrialIsACounterexampleNotAnError) {
  for (const Kind kind : {Kind::exact, Kind::bound, Kind::stat}) {
    const Row r = synthetic_row(kind, [kind](Precision, const Shape& s, Variant) {
      if (s.seed % 3 == 0) throw std::runtime_error("boom on this shape");
      return passing(kind);
    });
    Report rep;
    ASSERT_NO_THROW(rep = run(r, Precision::binary64, 30, 7)) << kind_name(kind);
    EXPECT_FALSE(rep.holds) << kind_name(kind);
    EXPECT_EQ(rep.applicable, 30) << kind_name(kind);
    ASSERT_TRUE(rep.has_counterexample) << kind_name(kind);
    EXPECT_EQ(rep.counterexample.seed % 3, 0u);
    EXPECT_NE(rep.counterexample_outcome.detail.find("boom on this shape"), std::string::npos);
    EXPECT_NE(rep.counterexample.describe().find("seed="), std::string::npos);
    EXPECT_NE(format_report(rep).find("VIOLATED"), std::string::npos) << format_report(rep);
  }
}

TEST(Catalogue, NaNMeasureOfAStatRowIsACounterexample) {
  const Row r = synthetic_row(Kind::stat, [](Precision, const Shape& s, Variant) {
    Outcome o = passing(Kind::stat);
    if (s.seed % 5 == 0) o.value = std::nan("");
    return o;
  });
  const Report rep = run(r, Precision::binary64, 40, 3);
  EXPECT_FALSE(rep.holds);
  ASSERT_TRUE(rep.has_counterexample);
  EXPECT_EQ(rep.counterexample.seed % 5, 0u);
}

TEST(Catalogue, DefectFailsAStatRowWhateverItsFrequency) {
  const Row r = synthetic_row(Kind::stat, [](Precision, const Shape& s, Variant) {
    Outcome o = passing(Kind::stat);
    o.defect = s.seed % 7 == 0;  // holds stays true: the defect alone must fail the report
    return o;
  });
  const Report rep = run(r, Precision::binary64, 40, 11);
  EXPECT_GE(rep.worst, r.min_frequency);  // the frequency alone would pass
  EXPECT_FALSE(rep.holds);
  EXPECT_TRUE(rep.has_counterexample);
}

TEST(Catalogue, NaNInExactAndBoundRowsIsACounterexample) {
  for (const Kind kind : {Kind::exact, Kind::bound}) {
    const Row r = synthetic_row(kind, [kind](Precision, const Shape& s, Variant) {
      const double lhs = s.seed % 4 == 0 ? std::nan("") : 1.0;
      return kind == Kind::exact ? exact_outcome<double>(lhs, 1.0, 1.0, 10, "x")
                                 : bound_outcome<double>(lhs, 2.0, 1.0, 10, "x");
    });
    const Report rep = run(r, Precision::binary64, 30, 5);
    EXPECT_FALSE(rep.holds) << kind_name(kind);
    ASSERT_TRUE(rep.has_counterexample) << kind_name(kind);
    EXPECT_EQ(rep.counterexample.seed % 4, 0u) << kind_name(kind);
  }
}

TEST(Catalogue, CleanRowsReportAsBefore) {
  for (const Kind kind : {Kind::exact, Kind::bound, Kind::stat}) {
    const Row r =
        synthetic_row(kind, [kind](Precision, const Shape&, Variant) { return passing(kind); });
    const Report rep = run(r, Precision::binary64, 20, 1);
    EXPECT_TRUE(rep.holds) << kind_name(kind);
    EXPECT_FALSE(rep.has_counterexample) << kind_name(kind);
    EXPECT_NE(format_report(rep).find(" HOLDS"), std::string::npos);
  }
}

// Row::tolerance_eps decides: an evaluator that applies a looser tolerance than the registered one
// (here 1e3 eps against the row's 10) does not pass a trial the registry would fail.
TEST(Catalogue, RegisteredToleranceDecidesExactAndBoundVerdicts) {
  for (const Kind kind : {Kind::exact, Kind::bound}) {
    for (const double off_eps : {5.0, 50.0}) {
      const Row r = synthetic_row(kind, [kind, off_eps](Precision, const Shape&, Variant) {
        const double eps = epsilon_of<double>();
        return kind == Kind::exact
                   ? exact_outcome<double>(1.0 + off_eps * eps, 1.0, 1.0, 1e3, "x")
                   : bound_outcome<double>(2.0 + off_eps * eps * 2.0, 2.0, 2.0, 1e3, "x");
      });
      const Report rep = run(r, Precision::binary64, 10, 3);
      const bool within = off_eps < r.tolerance_eps;
      EXPECT_EQ(rep.holds, within) << kind_name(kind) << " " << off_eps << " eps";
      EXPECT_EQ(rep.has_counterexample, !within) << kind_name(kind) << " " << off_eps << " eps";
      if (!within) {
        EXPECT_NE(rep.counterexample_outcome.detail.find("registered tolerance"), std::string::npos)
            << rep.counterexample_outcome.detail;
      }
    }
  }
}

// A NaN in a trial's applicability test is a counterexample with its shape, not a discarded trial.
TEST(Catalogue, NaNHypothesisIsACounterexampleNotADiscardedTrial) {
  const Row r = synthetic_row(Kind::exact, [](Precision, const Shape& s, Variant) {
    Outcome o = passing(Kind::exact);
    const double measure = s.seed % 3 == 0 ? std::nan("") : (s.seed % 3 == 1 ? 2.0 : 0.0);
    o.applicable = hypothesis_exceeds<double>(o, measure, 1.0, "measure > 1");
    return o;
  });
  const Report rep = run(r, Precision::binary64, 30, 9);
  EXPECT_FALSE(rep.holds);
  ASSERT_TRUE(rep.has_counterexample);
  EXPECT_EQ(rep.counterexample.seed % 3, 0u);
  EXPECT_NE(rep.counterexample_outcome.detail.find("hypothesis measure > 1 is NaN"),
            std::string::npos)
      << rep.counterexample_outcome.detail;
  // the NaN trials count as applicable, the seed % 3 == 2 ones (measure 0) are discarded
  int nan_trials = 0, discarded = 0;
  for (int t = 0; t < 30; ++t) {
    Rng rng = Rng::derive(9, {std::uint64_t(t)});
    const std::uint64_t seed = draw_shape(r.spec, rng).seed;
    nan_trials += seed % 3 == 0;
    discarded += seed % 3 == 2;
  }
  EXPECT_EQ(rep.applicable, 30 - discarded);
  EXPECT_GT(nan_trials, 0);
}
