#include "rpca_solver_impl.hpp"
namespace flatmin {

bool RpcaKkt::holds(double tol) const {
  return primal <= tol && dual_norm <= tol && std::abs(subgradient) <= tol &&
         std::abs(normal_cone) <= tol && std::abs(gap) <= tol;
}

FLATMIN_INSTANTIATE_RPCA_SOLVER(double)
}  // namespace flatmin
