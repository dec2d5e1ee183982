# kiosk_warnings: an interface target every project target links, so that one
# place decides which warnings we hold ourselves to. (-Wnull-dereference is left out:
# GCC 12 reports false positives inside libstdc++ at -O2.)
add_library(kiosk_warnings INTERFACE)
target_compile_options(kiosk_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(KIOSK_WARNINGS_AS_ERRORS)
  target_compile_options(kiosk_warnings INTERFACE -Werror)
endif()
