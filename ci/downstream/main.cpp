// A consumer of the installed flatmin package (ci/downstream.sh): draws a Gaussian sensing
// instance with flatmin's generator (ground truth M of rank 2, 10 x 10, ||M||_F = 1; m = 80
// measurements b = A(M), above dim T = r (2d - r) = 36, the recovery regime), solves the
// nuclear-norm program min ||X||_* s.t. A(X) = b in double, and checks that M is recovered.
// Exit 0: status `solved` and ||X - M||_F / ||M||_F <= 1e-9; 1 otherwise; 2 an exception.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>

#include "flatmin/determinism.hpp"
#include "flatmin/instance.hpp"
#include "flatmin/solver.hpp"

int main() {
  try {
    if (!flatmin::cpu_supports_build_isa()) {
      std::fprintf(stderr, "app: flatmin was built for %s, which this CPU lacks\n",
                   flatmin::build_isa());
      return 1;
    }
    flatmin::pin_eigen();
    const flatmin::Index d = 10, m = 80, rank = 2;
    const std::uint64_t seed = 1;
    const flatmin::RecoveryInstance inst =
        flatmin::generate_instance("gaussian", d, m, /*p (completion only)=*/0.0, rank, seed);
    const flatmin::SolveResult<double> res = flatmin::solve_nuclear(inst.A, inst.b);
    const bool shaped = res.X.rows() == inst.M.rows() && res.X.cols() == inst.M.cols();
    const double error = shaped ? (res.X - inst.M).norm() / inst.M.norm()
                                : std::numeric_limits<double>::infinity();
    const bool ok = res.status == flatmin::SolveStatus::solved && error <= 1e-9;
    std::printf("app (%s): gaussian d=%ld m=%ld rank=%ld seed=%lu: status %s, rank %ld, "
                "%d iterations, relative error %.3e: %s\n",
                flatmin::build_isa(), static_cast<long>(d), static_cast<long>(m),
                static_cast<long>(rank), static_cast<unsigned long>(seed),
                flatmin::status_name(res.status), static_cast<long>(res.rank), res.iterations,
                error, ok ? "recovered" : "NOT recovered");
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "app: %s\n", e.what());
    return 2;
  }
}
