// A Theorem 6.1 (robust PCA): in the regime l <= d_min/(mu r) (c = 1, as printed), the flat
// solution — the minimiser of (56) min ||X||_* s.t. ||Y - X||_{1,1} <= ||S||_{1,1}, no rescaling —
// equals M: the solver returns M (KKT verified) and certify_rpca proves it the unique minimiser.
// Negative control: dense corruption (about d_min/3 entries per line). The row is in
// catalogue/rows/rows_a6_solver.cpp; the solver's own tests are in lib/tests/test_rpca_solver.cpp.
// Default run: 40 draws in double, 10 in quad, 40 for the control, 2 in mp50 (~10 s in all);
// FrequencyLongRun (ctest label "long", entry A.T6.1.long): 2000 draws in double (~13 s).
#include <iostream>

#include "property.hpp"

FLATMIN_STAT_ROW_PROPERTIES(A_T6_1, "A.T6.1", 40, 2000)

namespace {
using namespace flatmin;

// The row runs in mp50 too (the solver is instantiated there): a few fixed-seed trials.
#ifndef FLATMIN_DOUBLE_ONLY
TEST(A_T6_1, EventInMp50) {
  const catalogue::Row& r = props::row("A.T6.1");
  const catalogue::Report rep = catalogue::run(r, Precision::mp50, 2, props::base_seed());
  std::cout << catalogue::format_report(rep) << " seed=" << props::base_seed() << "\n";
  EXPECT_EQ(rep.events, rep.applicable);
  EXPECT_GT(rep.applicable, 0);
}
#endif
}  // namespace
