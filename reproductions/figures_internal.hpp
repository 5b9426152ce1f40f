// The figures' definitions, one file each (fig_*.cpp), collected by figures.cpp.
#pragma once

#include "reproduce.hpp"

namespace flatmin::repro {

const Sweep& recovery_sweep();  // fig_recovery.cpp: shared by A-fig3 and A-fig4
Figure fig1();  // fig_illustrations.cpp
Figure fig2();
Figure fig3();
Figure fig4();
Figure fig_rpca();  // fig_beyond.cpp
Figure fig_noise();
const Sweep& training_sweep();  // fig_training.cpp: shared by B-fig1 and B-fig2
Figure fig_b1();
Figure fig_b2();
Figure fig_depth();  // fig_depth.cpp
Figure fig_b_thm4();

}  // namespace flatmin::repro
