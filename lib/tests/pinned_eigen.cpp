// Linked into every unit-test executable: Eigen's cache sizes are pinned (determinism.hpp) before
// the first test, as the flatmin command and the catalogue do. Without it the blocking of large
// matrix products, and so the last bits of every solve, follows the cache sizes of the machine
// running the tests: a solver test measured on one machine took another path on a machine with
// other caches (completion d = 20, m = 59, seed 1 of test_solver: Newton within 1000 iterations
// on the machine that wrote the test, after 2,578 on an AMD EPYC).
#include <gtest/gtest.h>

#include "flatmin/determinism.hpp"

namespace {

class PinnedEigen : public ::testing::Environment {
 public:
  void SetUp() override { flatmin::pin_eigen(); }
};

::testing::Environment* const pinned = ::testing::AddGlobalTestEnvironment(new PinnedEigen);

}  // namespace
