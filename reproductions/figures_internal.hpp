// The figures' definitions, one file each (fig_*.cpp), collected by figures.cpp.
#pragma once

#include "reproduce.hpp"

namespace flatmin::repro {

// The papers' success threshold: a trial recovered its truth when its error is below 1e-6
// (||X - M||_F in A-fig3, A-fig4 and A-rpca; ||x - x*|| / ||x*|| in depth).
constexpr double kSuccess = 1e-6;

Figure fig1();  // fig_illustrations.cpp
Figure fig2();
Figure fig3();  // fig_recovery.cpp: A-fig3 and A-fig4 share a sweep
Figure fig4();
Figure fig_rpca();  // fig_beyond.cpp
Figure fig_noise();
Figure fig_b1();  // fig_training.cpp: B-fig1 and B-fig2 share a sweep
Figure fig_b2();
Figure fig_depth();  // fig_depth.cpp
Figure fig_b_thm4();

}  // namespace flatmin::repro
