// A Lemma 4.4: Gaussian ensemble, m >= c r(d1+d2) => l2/l2 RIP (2r, 1-delta, 1+delta) w.h.p.
// With delta = 0.5 and m in [10, 15] r(d1+d2) the estimated constants (values at explicit
// rank-2r matrices, hence a necessary condition of the event) must lie in [0.5, 1.5] with
// frequency >= 0.95. Negative control: m = r(d1+d2)/4, far outside the regime.
#include "flatmin/rip.hpp"
#include "property.hpp"

FLATMIN_STAT_ROW_PROPERTIES(A_L4_4, "A.L4.4", 200, 2000)

namespace {
using namespace flatmin;

// The estimates tighten as m grows (concentration): the spread max(1 - d1est, d2est - 1) at
// m = 40 r(d1+d2) is below that at m = 5 r(d1+d2) on the same dimensions.
TEST(A_L4_4, SpreadShrinksWithM) {
  const Index d1 = 4, d2 = 5, r = 1;
  double spread[2];
  int i = 0;
  for (Index c : {5, 40}) {
    Rng rng(11);
    const SensingMap<double> A = gaussian_map(rng, d1, d2, c * r * (d1 + d2));
    RipOptions o;
    o.certify = false;
    const RipBounds<double> b = rip_constants<double>(A, 2 * r, RipNorm::l2, o);
    spread[i++] = std::max(1 - b.delta1_estimate, b.delta2_estimate - 1);
  }
  EXPECT_LT(spread[1], spread[0]);
  EXPECT_LT(spread[1], 0.5);
}

}  // namespace
