# Unity builds by hand-picked groups. Translation units of the same scalar type instantiate the
# same Eigen kernels (products, decompositions, assignments) and each compiles and optimises its
# own copy; compiled together, a group does that work once. The groups are chosen so that no
# compile needs more than about 2 GB (docs/performance.md, "Build", has the measurements);
# sources in no group are compiled alone. -DFLATMIN_UNITY=OFF compiles every source alone.
option(FLATMIN_UNITY "Compile related translation units together (unity groups)" ON)

# flatmin_unity_groups(target GROUP name source... [GROUP name source...]...)
function(flatmin_unity_groups target)
  if(NOT FLATMIN_UNITY)
    return()
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
  set(group "")
  foreach(arg ${ARGN})
    if(arg STREQUAL "GROUP")
      set(expect_name TRUE)
    elseif(expect_name)
      set(group ${arg})
      set(expect_name FALSE)
    else()
      if(group STREQUAL "")
        message(FATAL_ERROR "flatmin_unity_groups(${target}): ${arg} before the first GROUP")
      endif()
      set_source_files_properties(${arg} TARGET_DIRECTORY ${target} PROPERTIES UNITY_GROUP ${group})
    endif()
  endforeach()
endfunction()
