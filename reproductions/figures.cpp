// The registry of figures (reproduce.hpp).
#include "figures_internal.hpp"

namespace flatmin::repro {

const std::vector<Figure>& figures() {
  static const std::vector<Figure> all = {fig1(), fig2(), fig3(), fig4(), fig_rpca(), fig_noise(),
                                            fig_b1(), fig_b2(), fig_depth(), fig_b_thm4()};
  return all;
}

const Figure* find_figure(const std::string& id) {
  for (const Figure& f : figures())
    if (f.id == id) return &f;
  return nullptr;
}

}  // namespace flatmin::repro
