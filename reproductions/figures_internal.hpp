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

}  // namespace flatmin::repro
