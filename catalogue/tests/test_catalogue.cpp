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
