// flatmin instance: generate one recovery instance and write it in the interchange format.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "args.hpp"
#include "commands.hpp"
#include "flatmin/atomic_file.hpp"
#include "flatmin/instance.hpp"

namespace flatmin::cli {

namespace {

struct InstanceOptions {
  std::string family, d, m, p, rank, seed = "1", out;
  std::uint64_t memory_limit = 0;  // 0: the available memory
};

int instance_error(const std::string& msg) { return usage_error("instance: " + msg); }

std::optional<double> parse_fraction(const std::string& s) {  // a real in (0, 1]
  const auto v = parse_real(s, 0.0, 1.0);
  if (!v || *v == 0.0) return std::nullopt;
  return v;
}

int run_instance(const InstanceOptions& o) {
  const std::string& f = o.family;
  if (f.empty()) return instance_error(std::string("give the family: ") + kInstanceFamilies);
  if (!is_instance_family(f))
    return instance_error("unknown family '" + f + "' (" + kInstanceFamilies + ")");
  const bool completion = f == "completion";
  if (o.d.empty()) return instance_error("--d (the dimension) is required");
  if (o.rank.empty()) return instance_error("--rank is required");
  if (o.out.empty()) return instance_error("--out FILE is required");
  if (completion && !o.m.empty())
    return instance_error("completion takes --p (the observed fraction), not --m");
  if (completion && o.p.empty())
    return instance_error("completion needs --p (the observed fraction)");
  if (!completion && !o.p.empty())
    return instance_error("--p is for completion only (" + f + " takes --m)");
  if (!completion && o.m.empty())
    return instance_error(f + " needs --m (the number of measurements)");

  const auto d = parse_count(o.d, 1, 2000);
  if (!d) return instance_error("--d must be an integer in [1, 2000], got '" + o.d + "'");
  const auto rank = parse_count(o.rank, 1, *d);
  if (!rank)
    return instance_error("--rank must be an integer in [1, d] = [1, " + std::to_string(*d) +
                          "], got '" + o.rank + "'");
  const auto seed = parse_u64(o.seed);
  if (!seed)
    return instance_error("--seed must be an unsigned 64-bit integer, got '" + o.seed + "'");
  long long m = 0;
  double p = 0.0;
  if (completion) {
    const auto pp = parse_fraction(o.p);
    if (!pp) return instance_error("--p must be a real in (0, 1], got '" + o.p + "'");
    p = *pp;
  } else {
    const auto mm = parse_count(o.m, 1, 10000000);
    if (!mm) return instance_error("--m must be an integer in [1, 10^7], got '" + o.m + "'");
    m = *mm;
  }

  if (!memory_fits("instance", f + " with d = " + std::to_string(*d) +
                                    (completion ? ", p = " + o.p : ", m = " + std::to_string(m)),
                   memory::instance_bytes(f, Index(*d), Index(m), p), o.memory_limit))
    return 2;
  RecoveryInstance inst;
  try {
    inst = generate_instance(f, Index(*d), Index(m), p, Index(*rank), *seed);
  } catch (const InvalidArgument& e) {  // sizes beyond the limits, an empty completion mask
    return instance_error(e.what());
  }
  try {
    write_instance(inst, o.out);
  } catch (const InvalidArgument& e) {  // unwritable path or not a regular file; nothing written
    return instance_error(e.what());
  } catch (const IoError& e) {  // the write failed (a full disk); nothing was left behind
    std::cerr << "flatmin: instance: " << e.what() << "\n";
    return 1;
  }
  std::cout << "wrote " << o.out << " (" << f << ", d = " << *d << ", m = " << inst.A.m()
            << ", rank " << *rank << ", seed " << *seed << ")\n";
  return 0;
}

}  // namespace

CLI::App* add_instance_command(CLI::App& app, std::function<int()>& action) {
  auto* sub = app.add_subcommand("instance", "generate a recovery instance and write it to a file");
  auto o = std::make_shared<InstanceOptions>();
  sub->add_option("family", o->family, kInstanceFamilies);
  sub->add_option("--d", o->d, "dimension: the truth is d x d (1 to 2000)")
      ->type_name("INT");
  sub->add_option("--m", o->m, "number of measurements (not completion; 1 to 10^7)")
      ->type_name("INT");
  sub->add_option("--p", o->p, "completion: probability that an entry is observed, in (0, 1]")
      ->type_name("REAL");
  sub->add_option("--rank", o->rank,
                  "rank of the truth (1 to d; quadnn: rank/3 negative eigenvalues)")
      ->type_name("INT");
  sub->add_option("--seed", o->seed, "seed (unsigned 64-bit integer; default 1)")
      ->type_name("UINT64");
  sub->add_option("--out", o->out,
                  "file to write (atomically: .FILE.tmp.<pid>.<n>, then renamed; only a regular "
                  "file is replaced)")
      ->type_name("FILE");
  sub->footer("Exit status: 0 written; 1 the write failed (e.g. no space left on device; nothing "
              "is left behind); 2 usage error (including --out naming a directory, FIFO, device, "
              "socket or symbolic link, a missing folder, permission denied); 3 internal error.");
  add_memory_limit(sub, o->memory_limit);
  action = [o] { return run_instance(*o); };
  return sub;
}

}  // namespace flatmin::cli
