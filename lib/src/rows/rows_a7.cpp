// Catalogue rows: see registry.hpp. (Not yet implemented.)
#include "common.hpp"

namespace flatmin::catalogue::detail {
void register_rows_a7(std::vector<Row>&) {}
}  // namespace flatmin::catalogue::detail
