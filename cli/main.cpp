// flatmin — command-line front end (the subcommands: commands.hpp; the app: app.cpp).
//   flatmin check --list
//   flatmin check <id|all> [--trials N] [--seed S] [--precision double|quad|mp50] [--control]
//   flatmin instance <family> --d D (--m M | --p P) --rank R [--seed S] --out FILE
//   flatmin solve FILE [--method nuclear|flat] [--precision double|quad] [--certify] [--json]
//   flatmin eval FILE --factors F [--precision double|quad] [--json]
//   flatmin reproduce <figure...|all> [--scale quick|paper] [--out DIR] [--shard i/n] [--verify]
//   flatmin train [--instance FILE] --depth L --optimizer NAME --step-size ETA [--steps N] ...
// Exit status: 0 success (check: the statement holds on every applicable trial), 1 the
// computation's negative answer (violated, not solved, diverged, differs from the manifest), 2
// usage error (bad argument or file, not enough memory), 3 internal error (a defect of flatmin),
// 4 check: no applicable trial.
#include <iostream>

#include "app.hpp"
#include "flatmin/determinism.hpp"

int main(int argc, char** argv) {
  if (!flatmin::cpu_supports_build_isa()) {
    std::cerr << "flatmin: this build is for " << flatmin::build_isa()
              << " and this CPU lacks AVX2; rebuild with cmake -DFLATMIN_ISA=sse2\n";
    return 2;
  }
  flatmin::pin_eigen();
  flatmin::retain_freed_memory();
  return flatmin::cli::run_cli(argc, argv);
}
