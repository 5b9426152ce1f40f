#include "common.hpp"

#include <Eigen/QR>

namespace flatmin::catalogue::detail {

Mat<double> random_spd(Rng& rng, Index n, double lo, double hi) {
  Mat<double> G = rng.normal_matrix(n, n);
  Eigen::HouseholderQR<Mat<double>> qr(G);
  Mat<double> Q = qr.householderQ();
  Vec<double> ev(n);
  for (Index i = 0; i < n; ++i) ev(i) = i == 0 ? lo : (i == 1 ? hi : rng.uniform(lo, hi));
  if (n == 1) ev(0) = rng.uniform(lo, hi);
  return Q * ev.asDiagonal() * Q.transpose();
}

}  // namespace flatmin::catalogue::detail
