#include "solver_impl.hpp"
namespace flatmin {

const char* status_name(SolveStatus s) {
  switch (s) {
    case SolveStatus::solved: return "solved";
    case SolveStatus::iteration_limit: return "iteration_limit";
    case SolveStatus::numerical_trouble: return "numerical_trouble";
    case SolveStatus::infeasible: return "infeasible";
    case SolveStatus::d_singular: return "d_singular";
    case SolveStatus::below_bound: return "below_bound";
  }
  return "unknown";
}

const char* method_name(Method m) { return m == Method::flat ? "flat" : "nuclear"; }

Method parse_method(const std::string& name) {
  if (name == "nuclear") return Method::nuclear;
  if (name == "flat") return Method::flat;
  throw InvalidArgument("unknown method '" + name + "' (expected nuclear or flat)");
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::certified: return "certified";
    case Verdict::not_injective: return "not_injective";
    case Verdict::not_certified: return "not_certified";
  }
  return "unknown";
}

FLATMIN_INSTANTIATE_SOLVER(double)

}  // namespace flatmin
