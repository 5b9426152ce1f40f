// flatmin instance: generate one recovery instance and write it in the interchange format.
#include <charconv>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "commands.hpp"
#include "flatmin/atomic_file.hpp"
#include "flatmin/instance.hpp"

namespace flatmin::cli {

namespace {

struct InstanceOptions {
  std::string family, d, m, p, rank, seed = "1", out;
};

int usage_error(const std::string& msg) {
  std::cerr << "flatmin: instance: " << msg << "\n";
  return 2;
}

// A decimal integer in [lo, hi], the whole text consumed (no sign, exponent or point).
std::optional<long long> parse_int(const std::string& s, long long lo, long long hi) {
  long long v = 0;
  if (s.empty() || s[0] < '0' || s[0] > '9') return std::nullopt;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_seed(const std::string& s) {
  std::uint64_t v = 0;
  if (s.empty() || s[0] < '0' || s[0] > '9') return std::nullopt;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_fraction(const std::string& s) {  // a real in (0, 1]
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !(v > 0.0 && v <= 1.0))
    return std::nullopt;
  return v;
}

int run_instance(const InstanceOptions& o) {
  const std::string& f = o.family;
  if (f.empty()) return usage_error("give the family: gaussian, bilinear, completion or quadnn");
  if (f != "gaussian" && f != "bilinear" && f != "completion" && f != "quadnn")
    return usage_error("unknown family '" + f + "' (gaussian, bilinear, completion or quadnn)");
  const bool completion = f == "completion";
  if (o.d.empty()) return usage_error("--d (the dimension) is required");
  if (o.rank.empty()) return usage_error("--rank is required");
  if (o.out.empty()) return usage_error("--out FILE is required");
  if (completion && !o.m.empty())
    return usage_error("completion takes --p (the observed fraction), not --m");
  if (completion && o.p.empty()) return usage_error("completion needs --p (the observed fraction)");
  if (!completion && !o.p.empty())
    return usage_error("--p is for completion only (" + f + " takes --m)");
  if (!completion && o.m.empty()) return usage_error(f + " needs --m (the number of measurements)");

  const auto d = parse_int(o.d, 1, 2000);
  if (!d) return usage_error("--d must be an integer in [1, 2000], got '" + o.d + "'");
  const auto rank = parse_int(o.rank, 1, *d);
  if (!rank)
    return usage_error("--rank must be an integer in [1, d] = [1, " + std::to_string(*d) +
                       "], got '" + o.rank + "'");
  const auto seed = parse_seed(o.seed);
  if (!seed) return usage_error("--seed must be an unsigned 64-bit integer, got '" + o.seed + "'");
  long long m = 0;
  double p = 0.0;
  if (completion) {
    const auto pp = parse_fraction(o.p);
    if (!pp) return usage_error("--p must be a real in (0, 1], got '" + o.p + "'");
    p = *pp;
  } else {
    const auto mm = parse_int(o.m, 1, 10000000);
    if (!mm) return usage_error("--m must be an integer in [1, 10^7], got '" + o.m + "'");
    m = *mm;
  }

  RecoveryInstance inst;
  try {
    inst = generate_instance(f, Index(*d), Index(m), p, Index(*rank), *seed);
  } catch (const InvalidArgument& e) {  // sizes beyond the limits, an empty completion mask
    return usage_error(e.what());
  }
  try {
    write_instance(inst, o.out);
  } catch (const InvalidArgument& e) {  // unwritable path or not a regular file; nothing written
    return usage_error(e.what());
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
  sub->add_option("family", o->family, "gaussian, bilinear, completion or quadnn");
  sub->add_option("--d", o->d, "dimension: the truth is d x d (1 to 2000)");
  sub->add_option("--m", o->m, "number of measurements (not completion; 1 to 10^7)");
  sub->add_option("--p", o->p, "completion: probability that an entry is observed, in (0, 1]");
  sub->add_option("--rank", o->rank,
                  "rank of the truth (1 to d; quadnn: rank/3 negative eigenvalues)");
  sub->add_option("--seed", o->seed, "seed (unsigned 64-bit integer; default 1)");
  sub->add_option("--out", o->out,
                  "file to write (atomically: .FILE.tmp.<pid>.<n>, then renamed; only a regular "
                  "file is replaced)");
  sub->footer("Exit status: 0 written; 1 the write failed (e.g. no space left on device; nothing "
              "is left behind); 2 usage error (including --out naming a directory, FIFO, device, "
              "socket or symbolic link, a missing folder, permission denied); 3 internal error.");
  action = [o] {
    try {
      return run_instance(*o);
    } catch (const std::exception& e) {
      std::cerr << "flatmin: internal error: " << e.what() << "\n";
      return 3;
    }
  };
  return sub;
}

}  // namespace flatmin::cli
