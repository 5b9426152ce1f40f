// A Lemma 4.8: rank-1 l2/l2 RIP (delta1, delta2) => delta1 I <= D_i <= delta2 I. Checked with the
// certified rank-1 sides (valid for the true constants), the converse reading (rank-1 witnesses
// v e_i^T built from the eigenvectors of D_i attain rho >= lambda_max(D_i), <= lambda_min(D_i)),
// and identity (18) of the proof. Negative control: D_i without the 1/d_i of (14).
#include <cmath>

#include "flatmin/linalg.hpp"
#include "flatmin/rip.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L4_8, "A.L4.8")

namespace {
using namespace flatmin;

#ifndef FLATMIN_DOUBLE_ONLY  // quad is not instantiated in a double-only build
// The identity map is the tight case: D_i = I / sqrt(d1 d2) = every rank-1 RIP constant.
TEST(A_L4_8, IdentityMapIsTight) {
  for (Index d1 : {1, 2, 5})
    for (Index d2 : {1, 3}) {
      const SensingMap<quad> I = SensingMap<quad>::identity(d1, d2);
      const Rescaling<quad> D = rescaling(I);
      const RipBounds<quad> b = rip_constants<quad>(I, 1, RipNorm::l2);
      const quad c = quad(1) / sqrt(quad(d1 * d2));
      const double tol = 100 * epsilon_of<quad>();
      for (const Mat<quad>* Di : {&D.D1, &D.D2}) {
        const Vec<quad> ev = sym_eig<quad>(*Di).lambda;
        EXPECT_LT(to_double(abs(ev(0) / c - 1)), tol);
        EXPECT_LT(to_double(abs(ev(ev.size() - 1) / c - 1)), tol);
      }
      EXPECT_LT(to_double(abs(b.delta1_certified / c - 1)), tol);
      EXPECT_LT(to_double(abs(b.delta2_certified / c - 1)), tol);
    }
}
#endif

}  // namespace
